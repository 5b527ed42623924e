import { copyFileSync, constants, existsSync, openSync, readSync, closeSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../engine/sqlite.js';
import { sql } from '../sql/fragment.js';
import { writeRunMarker } from '../run/marker.js';
import { UserError } from '../errors.js';
import type { RunContext } from '../pipeline/context.js';

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Copies the snapshot into a fresh database in the run folder. The source is only ever read
 * (a byte copy; it is never opened by SQLite), and the copy gets this run's marker.
 */
export async function restore(ctx: RunContext): Promise<string> {
  const source = ctx.plan.snapshot.path;
  checkSnapshot(source);
  const target = join(ctx.run.workDir, 'rehearsal.db');
  copyFileSync(source, target, constants.COPYFILE_EXCL);
  chmodSync(target, 0o600);
  ctx.run.state.databasePath = target;
  ctx.run.save();
  const engine = SqliteEngine.open(target);
  ctx.engine = engine;
  const [check] = await engine.query<{ quick_check: string }>(sql`PRAGMA quick_check`);
  if (check?.quick_check !== 'ok') {
    throw new UserError(`The snapshot ${source} is damaged (SQLite quick_check: ${check?.quick_check ?? 'no answer'}). Take the backup again.`);
  }
  await writeRunMarker(engine, { runId: ctx.run.runId, createdAt: new Date().toISOString(), source });
  const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
  return `${mb} MB copied from ${source}`;
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
