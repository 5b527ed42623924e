import type { DatabaseEngine } from '../types.js';
import { SafetyError } from '../../errors.js';
import { databaseIdQuery } from './restore-sql.js';
import { createMssqlEngine, type MssqlEngineOptions } from './engine.js';

/** What a restore variant needs: the server (on master) and a way to open the restored copy. */
export interface RestoreTarget {
  /** Connected to the server's master database; used only to create the copy. */
  readonly server: DatabaseEngine;
  /** Opens the engine the rest of the run uses, on the restored database. */
  openDatabase(database: string): Promise<DatabaseEngine>;
}

export interface RestoredDatabase {
  readonly database: string;
  /** Carries this run's marker; the caller owns it and closes it at the end of the run. */
  readonly engine: DatabaseEngine;
}

/** A restore creates a database and never replaces one: an existing name stops the run. */
export async function assertDatabaseAbsent(server: DatabaseEngine, database: string): Promise<void> {
  const [row] = await server.query<{ database_id: number | null }>(databaseIdQuery(database));
  if (row !== undefined && row.database_id !== null) {
    throw new SafetyError(
      `Refusing to restore into ${database} on ${server.description}: a database with that name already exists, and a restore never replaces one. ` +
        'If it is a leftover of this run, remove it with `rehearse destroy`; otherwise start a new run, which gets a new name.',
      2,
    );
  }
}

/**
 * A restore target on one server: a short-lived pool on master for the restore itself, and the
 * run's pool on the copy. Close the target once the restore is done; the copy's engine lives on.
 */
export async function openRestoreTarget(options: MssqlEngineOptions): Promise<RestoreTarget & { close(): Promise<void> }> {
  const server = await createMssqlEngine({ ...options, database: 'master' });
  return {
    server,
    openDatabase: (database) => createMssqlEngine({ ...options, database }),
    close: () => server.close(),
  };
}
