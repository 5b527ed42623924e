import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import { SafetyError } from '../errors.js';

/**
 * Proof that the run never wrote its sources: the snapshot it restores from and production's
 * result it compares with. The restore records their identity before it copies; every write stage
 * (restore, sanitize, bill run) checks it when it starts and when it ends. The record is kept in
 * the run folder, so a write between stages, by another process or another command, is caught by
 * the next check.
 *
 * SQLite files only. A SQL Server source (a .bak on the server's disk, an RDS restore, a database
 * on the server) is not covered: its bytes are not reachable from here.
 */
export interface FileIdentity {
  readonly device: string;
  readonly inode: string;
  readonly size: string;
  readonly mtimeNs: string;
  /**
   * sha256 of the first page (the SQLite header and the schema's root page, at most 64 KiB). Its
   * file change counter moves with every committed write, and DDL rewrites the schema page, even
   * when the modification time is set back.
   */
  readonly headerSha256: string;
}

export interface SourceFile {
  /** For messages: "snapshot" or "production result". */
  readonly role: string;
  readonly path: string;
}

export const SOURCE_IDENTITY_FILE = 'source-identity.json';

const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');
const MAX_PAGE = 65536;
const NON_SQLITE_PREFIX = 4096;

/** The plan's sources that are files on this machine. */
export function sourceFiles(plan: Plan): SourceFile[] {
  const files: SourceFile[] = [];
  if (plan.snapshot.kind === 'sqlite-file') files.push({ role: 'snapshot', path: plan.snapshot.path });
  if (plan.productionResult.kind === 'sqlite-file') files.push({ role: 'production result', path: plan.productionResult.path });
  return files;
}

export function fileIdentity(path: string): FileIdentity {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd, { bigint: true });
    const header = Buffer.alloc(Math.min(Number(stat.size), MAX_PAGE));
    const read = readSync(fd, header, 0, header.length, 0);
    return {
      device: String(stat.dev),
      inode: String(stat.ino),
      size: String(stat.size),
      mtimeNs: String(stat.mtimeNs),
      headerSha256: createHash('sha256').update(header.subarray(0, firstPageLength(header.subarray(0, read)))).digest('hex'),
    };
  } finally {
    closeSync(fd);
  }
}

/** SQLite keeps its page size at offset 16 (1 means 65536); anything else is hashed by a fixed prefix. */
function firstPageLength(bytes: Buffer): number {
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_HEADER)) return Math.min(bytes.length, NON_SQLITE_PREFIX);
  const raw = bytes.readUInt16BE(16);
  return Math.min(bytes.length, raw === 1 ? MAX_PAGE : raw);
}

/**
 * Records the sources' identity afresh: the restore calls it before it copies, because everything
 * after it (the copy, and the comparison with production's result) is made again from the sources
 * as they are now, also when a resumed run restores again.
 */
export function recordSources(files: readonly SourceFile[], runDir: string): void {
  if (files.length === 0) return;
  writeRecord(join(runDir, SOURCE_IDENTITY_FILE), Object.fromEntries(files.map(({ path }) => [path, existsSync(path) ? fileIdentity(path) : null])));
}

/**
 * Checks the sources against the identity recorded in `runDir` (by the restore), and records it
 * when there is none yet. Throws a SafetyError (NO-GO) naming each changed file.
 */
export function assertSourcesUnchanged(files: readonly SourceFile[], runDir: string, when: string): void {
  if (files.length === 0) return;
  const recordFile = join(runDir, SOURCE_IDENTITY_FILE);
  const recorded = readRecord(recordFile);
  const changed: string[] = [];
  const record: Record<string, FileIdentity | null> = { ...recorded };
  for (const { role, path } of files) {
    // A file that is not there is recorded as absent: one that appears later is a change too.
    const now = existsSync(path) ? fileIdentity(path) : null;
    if (!(path in recorded)) {
      record[path] = now;
      continue;
    }
    const before = recorded[path] ?? null;
    if (before === null || now === null) {
      if (before !== now) changed.push(`the ${role} ${path} ${now === null ? 'is gone' : 'appeared'}`);
      continue;
    }
    const differences = describeChange(before, now);
    if (differences.length > 0) changed.push(`the ${role} ${path} changed (${differences.join(', ')})`);
  }
  if (changed.length > 0) {
    throw new SafetyError(
      `${when}: ${changed.join('; ')} since this run first read it. The rehearsal never writes its sources, so something else did, ` +
        'and this run compared or restored a source that is not the one it started with. Find what wrote it, take the backup again if needed, and start a fresh run (`rehearse all --fresh`).',
    );
  }
  if (Object.keys(record).length !== Object.keys(recorded).length) writeRecord(recordFile, record);
}

function describeChange(before: FileIdentity, now: FileIdentity): string[] {
  const differences: string[] = [];
  if (before.device !== now.device || before.inode !== now.inode) differences.push('it is another file now (device or inode)');
  if (before.size !== now.size) differences.push(`size ${before.size} → ${now.size} bytes`);
  if (before.mtimeNs !== now.mtimeNs) differences.push('modification time');
  if (before.headerSha256 !== now.headerSha256) differences.push('header page content');
  return differences;
}

function readRecord(file: string): Record<string, FileIdentity | null> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SafetyError(`${file} is not a record of the run's sources, so the run cannot prove its sources are unchanged. Start a fresh run (\`rehearse all --fresh\`).`);
  }
  return parsed as Record<string, FileIdentity | null>;
}

function writeRecord(file: string, record: Record<string, FileIdentity | null>): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, file);
}
