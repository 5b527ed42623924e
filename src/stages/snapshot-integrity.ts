import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Which snapshot files passed SQLite's integrity check, and when. A pre-bill-run backup is
 * rehearsed once per release candidate, often many times; its bytes cannot change while its
 * device, inode, size, modification and change times stay the same (the change time cannot be set
 * back by any user), so the check runs once per file version instead of once per restore.
 */
export interface IntegrityRecord {
  readonly identity: string;
  readonly checkedAt: string;
}

export const INTEGRITY_FILE = '.snapshot-integrity.json';

export function snapshotIdentity(path: string): string {
  const s = statSync(path, { bigint: true });
  return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
}

function read(reportsDir: string): Record<string, IntegrityRecord> {
  const file = join(reportsDir, INTEGRITY_FILE);
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, IntegrityRecord>) : {};
  } catch {
    // A damaged record only means the check runs again.
    return {};
  }
}

/** When this exact version of the snapshot passed the check, or undefined when it must be checked. */
export function checkedVersion(reportsDir: string, snapshot: string): IntegrityRecord | undefined {
  const record = read(reportsDir)[snapshot];
  return record !== undefined && record.identity === snapshotIdentity(snapshot) ? record : undefined;
}

export function recordChecked(reportsDir: string, snapshot: string, identity: string): void {
  const records = read(reportsDir);
  records[snapshot] = { identity, checkedAt: new Date().toISOString() };
  const file = join(reportsDir, INTEGRITY_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
}
