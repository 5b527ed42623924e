import { realpathSync, statSync } from 'node:fs';

/**
 * Why two paths are one file, or undefined when they are two: the same file through a symbolic
 * link (by real path) or a hard link (by device and inode). The plan loader compares the paths
 * as written only.
 */
export function sameFile(a: string, b: string): string | undefined {
  let realA: string;
  let realB: string;
  try {
    realA = realpathSync(a);
    realB = realpathSync(b);
  } catch {
    // A missing file is reported by the check that needs it; two missing files are not one.
    return undefined;
  }
  if (realA === realB) return `${b} and ${a} are the same file (${realA}) through a symbolic link`;
  const statA = statSync(realA, { bigint: true });
  const statB = statSync(realB, { bigint: true });
  if (statA.dev === statB.dev && statA.ino === statB.ino) return `${b} is a hard link to ${a} (device ${statA.dev}, inode ${statA.ino})`;
  return undefined;
}
