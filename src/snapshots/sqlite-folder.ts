import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { sqliteHeader } from '../preflight/sqlite-file.js';
import type { BackupCandidate } from './types.js';

/** A sidecar beside a backup, `<file>.json`, written by whatever took the backup. */
const SIDECAR_SUFFIX = '.json';
/** The sample platform's tool records when it made snapshot.db in sample.json, beside it. */
const SAMPLE_DESCRIPTION = 'sample.json';
const SAMPLE_SNAPSHOT = 'snapshot.db';
/** A JSON file larger than this is not a sidecar. */
const MAX_SIDECAR_BYTES = 64 * 1024;

type RecordedTime = { readonly takenAt: string; readonly recordedIn: string } | { readonly problem: string } | undefined;

function recordedTime(file: string): RecordedTime {
  const sidecar = `${file}${SIDECAR_SUFFIX}`;
  const sample = basename(file) === SAMPLE_SNAPSHOT ? join(file, '..', SAMPLE_DESCRIPTION) : undefined;
  for (const path of [sidecar, sample]) {
    if (path === undefined || !existsSync(path)) continue;
    let parsed: unknown;
    try {
      if (!statSync(path).isFile() || statSync(path).size > MAX_SIDECAR_BYTES) return { problem: `${path} is not a small JSON file` };
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      return { problem: `${path} is not JSON (${(error as Error).message.slice(0, 120)})` };
    }
    const described = typeof parsed === 'object' && parsed !== null ? (parsed as { takenAt?: unknown; files?: Record<string, { size?: unknown }> }) : {};
    const { takenAt } = described;
    // An old sample.json without a time says nothing: the file's modification time is used, with a warning.
    if (takenAt === undefined && path === sample) continue;
    // sample.json signs the files it describes; one of another size is not the snapshot it timed.
    const signedSize = path === sample ? described.files?.[SAMPLE_SNAPSHOT]?.size : undefined;
    if (signedSize !== undefined && signedSize !== statSync(file).size) return { problem: `${path} times another ${SAMPLE_SNAPSHOT} (its signature records ${String(signedSize)} bytes)` };
    if (typeof takenAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(takenAt) || Number.isNaN(Date.parse(takenAt))) {
      return { problem: `${path} has no \`takenAt\` time with a zone (e.g. 2026-11-01T01:55:00Z)` };
    }
    return { takenAt: new Date(takenAt).toISOString(), recordedIn: path };
  }
  return undefined;
}

/**
 * The `.db` files of a catalogue folder (not its subfolders) and when each was taken: the time
 * recorded beside it (a `<file>.json` sidecar with `takenAt`, or sample.json for the sample
 * tool's snapshot.db), otherwise the file's modification time, which the selection warns about.
 * Only headers and sidecars are read; no file is opened as a database, so none can change.
 */
export function sqliteFolderCandidates(folder: string): BackupCandidate[] {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new UserError(`The snapshot catalogue ${folder} is not a folder. Point \`snapshot.catalogue.folder\` at the folder that holds the backups.`);
    names = readdirSync(folder);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot list the snapshot catalogue ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Point \`snapshot.catalogue.folder\` at a readable folder.`);
  }
  return names
    .filter((name) => name.endsWith('.db'))
    .sort()
    .flatMap((name): BackupCandidate[] => {
      const path = join(folder, name);
      const link = lstatSync(path);
      if (link.isDirectory()) return [];
      const header = sqliteHeader(path);
      if (header.kind === 'problem') return [{ id: path, problem: `unreadable header: ${header.reason}` }];
      const recorded = recordedTime(path);
      if (recorded !== undefined && 'problem' in recorded) return [{ id: path, problem: recorded.problem }];
      if (recorded !== undefined) return [{ id: path, takenAt: recorded.takenAt, timeSource: 'recorded time', recordedIn: recorded.recordedIn }];
      return [{ id: path, takenAt: statSync(path).mtime.toISOString(), timeSource: 'file modification time' }];
    });
}
