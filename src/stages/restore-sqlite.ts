import { copyFileSync, constants, existsSync, openSync, readSync, closeSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../engine/sqlite.js';
import { sql } from '../sql/fragment.js';
import { writeRunMarker } from '../run/marker.js';
import { UserError } from '../errors.js';
import type { RunContext } from '../pipeline/context.js';
import { checkedVersion, recordChecked, snapshotIdentity } from './snapshot-integrity.js';

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Copies the snapshot into a fresh database in the run folder. The source is only ever read
 * (a byte copy; it is never opened by SQLite), and the copy gets this run's marker. The first
 * restore of each version of a snapshot file runs SQLite's quick_check on the copy, so a damaged
 * backup stops the run before anything else; later restores of the same version skip it.
 */
export async function restoreSqliteFile(ctx: RunContext, source: string): Promise<string> {
  checkSnapshot(source);
  const identity = snapshotIdentity(source);
  const checked = checkedVersion(ctx.plan.report.dir, source);
  const target = join(ctx.run.workDir, 'rehearsal.db');
  copyFileSync(source, target, constants.COPYFILE_EXCL);
  chmodSync(target, 0o600);
  ctx.run.state.databasePath = target;
  ctx.run.save();
  const engine = SqliteEngine.open(target);
  ctx.engine = engine;
  if (checked === undefined) {
    ctx.progress.detail(`checking ${source} (SQLite quick_check, once per version of the file)`);
    const findings = (await engine.query<{ quick_check: string }>(sql`PRAGMA quick_check`)).flatMap((r) => r.quick_check.split('\n')).filter((l) => !l.startsWith('***'));
    if (findings.length !== 1 || findings[0] !== 'ok') {
      const shown = findings.slice(0, 3).join('; ') || 'no answer';
      const more = findings.length > 3 ? ` and ${findings.length - 3} more findings` : '';
      throw new UserError(`The snapshot ${source} is damaged (SQLite quick_check: ${shown}${more}). Take the backup again.`);
    }
    recordChecked(ctx.plan.report.dir, source, identity);
  }
  await writeRunMarker(engine, { runId: ctx.run.runId, createdAt: new Date().toISOString(), source });
  const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
  const integrity = checked === undefined ? 'integrity checked' : `integrity checked ${checked.checkedAt}, file unchanged since`;
  return `${mb} MB copied from ${source}; ${integrity}`;
}

function checkSnapshot(source: string): void {
  if (!existsSync(source)) throw new UserError(`The snapshot ${source} does not exist. Check \`snapshot.path\` in the plan.`);
  if (existsSync(`${source}-wal`)) {
    throw new UserError(
      `The snapshot ${source} has a write-ahead log beside it (${source}-wal), so a copy of the file alone would miss data. ` +
        'Checkpoint it (sqlite3 <file> "PRAGMA wal_checkpoint(TRUNCATE)") or take the snapshot from a closed database.',
    );
  }
  const header = Buffer.alloc(16);
  const fd = openSync(source, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new UserError(`The snapshot ${source} is not a SQLite database. The local target restores SQLite snapshots; SQL Server backups go through the mssql engine.`);
  }
}
