import { randomBytes } from 'node:crypto';
import { sql, ident } from '../../src/sql/fragment.js';
import { createMssqlEngine, type MssqlEngine } from '../../src/engine/mssql/engine.js';
import { rehearsalDatabaseName } from '../../src/engine/mssql/database-name.js';
import type { CreatePool } from '../../src/engine/mssql/driver.js';

/** The live SQL Server the suites use, or undefined (they then skip with one line). */
export const MSSQL_URL = process.env['REHEARSAL_MSSQL_URL']?.trim() || undefined;

/**
 * Creates a scratch database with a unique run id on the live server, hands it to `work`, and
 * drops it afterwards whatever happened: a failed SINGLE_USER (another session holds it, or the
 * login may not alter it) does not skip the DROP, which would leak the database.
 */
export async function withScratchDatabase(url: string, work: (copy: MssqlEngine, runId: string) => Promise<void>, options: { createPool?: CreatePool } = {}): Promise<void> {
  const connection = { connectionString: url, connectionStringSource: 'environment variable REHEARSAL_MSSQL_URL', ...options };
  const runId = `it-${randomBytes(4).toString('hex')}`;
  const database = rehearsalDatabaseName(runId);
  const master = await createMssqlEngine({ ...connection, database: 'master' });
  try {
    await master.exec(sql`CREATE DATABASE ${ident(database)}`);
    try {
      const copy = await createMssqlEngine({ ...connection, database });
      try {
        await work(copy, runId);
      } finally {
        await copy.close();
      }
    } finally {
      try {
        await master.exec(sql`ALTER DATABASE ${ident(database)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE`);
      } finally {
        await master.exec(sql`DROP DATABASE ${ident(database)}`);
      }
    }
  } finally {
    await master.close();
  }
}
