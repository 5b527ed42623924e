import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why the run folder could not be made under `dir`, or undefined when it can. Nothing is created:
 * the nearest existing folder on the way must be a directory this process may write and enter.
 */
export function reportDirProblem(dir: string): string | undefined {
  let existing = dir;
  for (;;) {
    try {
      const stat = statSync(existing);
      if (!stat.isDirectory()) return existing === dir ? `${dir} is not a directory` : `${existing} is not a directory, so ${dir} cannot be made under it`;
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${existing} cannot be read (${code ?? (error as Error).message})`;
      const parent = dirname(existing);
      if (parent === existing) return `no folder on the way to ${dir} exists`;
      existing = parent;
    }
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${existing} is on a read-only file system`;
    const why = `${existing} is not writable by this user (${code ?? (error as Error).message})`;
    // A folder a root rehearsal made: the rehearsal itself needs root for its network namespace.
    return process.getuid?.() !== 0 && (code === 'EACCES' || code === 'EPERM') ? `${why}; Rehearsal needs root (its sandbox is a network namespace), so run it as root` : why;
  }
  return undefined;
}
