import type { DatabaseEngine } from '../types.js';
import { SafetyError } from '../../errors.js';
import { readRunMarker, writeRunMarker } from '../../run/marker.js';
import { currentDatabaseQuery } from './restore-sql.js';

export interface SnapshotAttachOptions {
  readonly runId: string;
  /** The database on the restored instance the platform uses. */
  readonly database: string;
  /** The DB snapshot Pulumi restored the instance from, recorded as the marker's source. */
  readonly snapshotId: string;
  readonly createdAt?: string;
}

/**
 * Takes over an RDS instance Pulumi restored from a DB snapshot in this run. The instance is new,
 * so the copy carries no marker yet; the engine must already be on the rehearsal target (the
 * server guard ran when it was opened). Re-attaching in the same run is harmless; a marker of
 * another run means the wrong instance and stops the run.
 */
export async function attachSnapshotInstance(engine: DatabaseEngine, options: SnapshotAttachOptions): Promise<void> {
  const [row] = await engine.query<{ database_name: string | null }>(currentDatabaseQuery());
  const connected = row?.database_name ?? null;
  if (connected === null || connected.toLowerCase() !== options.database.toLowerCase()) {
    throw new SafetyError(
      `Refusing to mark ${engine.description}: it is connected to database ${connected ?? '(none)'}, not ${options.database} restored from snapshot ${options.snapshotId}. ` +
        'Point the connection string at the restored instance and its platform database.',
      2,
    );
  }
  const marker = await readRunMarker(engine);
  if (marker !== undefined) {
    if (marker.runId === options.runId) return;
    throw new SafetyError(
      `Refusing to mark ${engine.description}: it already carries the marker of rehearsal run ${marker.runId}, so it is not the instance this run restored from ${options.snapshotId}. ` +
        'Check the instance endpoint in the Pulumi stack outputs and the connection string.',
      2,
    );
  }
  await writeRunMarker(engine, { runId: options.runId, createdAt: options.createdAt ?? new Date().toISOString(), source: `rds-snapshot:${options.snapshotId}` });
}
