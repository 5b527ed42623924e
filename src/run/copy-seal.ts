import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { sql, ident, keyword } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import type { RunState } from './run-folder.js';
import { fileSha256 } from './file-sha256.js';

/**
 * A SQL Server copy has no cheap content hash, so a passing stage writes a fresh random seal into
 * it and records the same value in the run's state. A later process trusts the copy only while
 * it still carries that seal (and this run's marker): a copy restored again, swapped or written
 * by a stage that failed half-way has another seal or none.
 */
export const SEAL_TABLE = '_rehearsal_seal';

const SEAL_PREFIX = 'seal:';

/** The copy's fingerprint after a stage passed: the SQLite file's sha256, or a new seal written into the SQL Server copy. */
export async function fingerprintCopy(plan: Plan, state: RunState, engine: DatabaseEngine | undefined): Promise<string | undefined> {
  if (plan.database.engine === 'sqlite') return sqliteFileFingerprint(state);
  if (engine === undefined) return undefined;
  const seal = `${SEAL_PREFIX}${randomBytes(16).toString('hex')}`;
  const table = ident(SEAL_TABLE);
  if (!(await engine.tables()).some((t) => t.name === SEAL_TABLE)) {
    await engine.exec(sql`CREATE TABLE ${table} (${ident('seal')} ${keyword(engine.dialect.textType)} NOT NULL)`);
  }
  await engine.transaction(async (tx) => {
    await tx.exec(sql`DELETE FROM ${table}`);
    await tx.exec(sql`INSERT INTO ${table} (${ident('seal')}) VALUES (${seal})`);
  });
  return seal;
}

/** The fingerprint the copy has now, to compare with the recorded one; undefined when the copy is gone. */
export async function currentFingerprint(plan: Plan, state: RunState, engine: DatabaseEngine): Promise<string | undefined> {
  if (plan.database.engine === 'sqlite') return sqliteFileFingerprint(state);
  if (!(await engine.tables()).some((t) => t.name === SEAL_TABLE)) return undefined;
  const rows = await engine.query<{ seal: string }>(sql`SELECT ${ident('seal')} FROM ${ident(SEAL_TABLE)}`);
  return rows.length === 1 ? rows[0]?.seal : undefined;
}

/** A SQLite copy is a file: its sha256 is its fingerprint, recorded and compared alike. */
function sqliteFileFingerprint(state: RunState): string | undefined {
  const path = state.databasePath;
  return path !== undefined && existsSync(path) ? fileSha256(path) : undefined;
}
