import { sql, ident, keyword } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';
import { SafetyError } from '../errors.js';

/**
 * The run marker is the production guard: every stage that writes checks that the database
 * carries the marker of *this* run, so it can never write to production or to another run's copy.
 */
export const MARKER_TABLE = '_rehearsal_run';

export interface RunMarker {
  readonly runId: string;
  readonly createdAt: string;
  /** What the copy was restored from (a path or snapshot name, never a connection string). */
  readonly source: string;
}

/** One transaction: a copy never carries a marker table without its row. */
export async function writeRunMarker(engine: DatabaseEngine, marker: RunMarker): Promise<void> {
  const table = ident(MARKER_TABLE);
  const text = keyword(engine.dialect.textType);
  await engine.transaction(async (tx) => {
    await tx.exec(
      sql`CREATE TABLE ${table} (${ident('run_id')} ${text} NOT NULL, ${ident('created_at')} ${text} NOT NULL, ${ident('source')} ${text} NOT NULL)`,
    );
    await tx.exec(
      sql`INSERT INTO ${table} (${ident('run_id')}, ${ident('created_at')}, ${ident('source')}) VALUES (${marker.runId}, ${marker.createdAt}, ${marker.source})`,
    );
  });
}

export async function readRunMarker(engine: DatabaseEngine): Promise<RunMarker | undefined> {
  const tables = await engine.tables();
  if (!tables.some((t) => t.name === MARKER_TABLE)) return undefined;
  const rows = await engine.query<{ run_id: string; created_at: string; source: string }>(
    sql`SELECT ${ident('run_id')}, ${ident('created_at')}, ${ident('source')} FROM ${ident(MARKER_TABLE)}`,
  );
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) return undefined;
  return { runId: row.run_id, createdAt: row.created_at, source: row.source };
}

/** Refuses to go on unless the database was created by the run `runId`. */
export async function assertRunMarker(engine: DatabaseEngine, runId: string, stage: string): Promise<void> {
  const marker = await readRunMarker(engine);
  if (marker === undefined) {
    throw new SafetyError(
      `Refusing to ${stage}: ${engine.description} carries no rehearsal run marker, so it was not created by this run ` +
        `and may be production or a source snapshot. Restore a fresh copy with \`rehearse restore\` and run this stage again.`,
      2,
    );
  }
  if (marker.runId !== runId) {
    throw new SafetyError(
      `Refusing to ${stage}: ${engine.description} belongs to rehearsal run ${marker.runId}, not to this run (${runId}). ` +
        `Each run writes only to the copy it restored itself; start from \`rehearse restore\` for this run.`,
      2,
    );
  }
}
