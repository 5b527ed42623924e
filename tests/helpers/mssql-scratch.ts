import { randomBytes } from 'node:crypto';
import { sql, ident } from '../../src/sql/fragment.js';
import { createMssqlEngine, type MssqlEngine } from '../../src/engine/mssql/engine.js';
import { rehearsalDatabaseName } from '../../src/engine/mssql/database-name.js';

/** The live SQL Server the suites use, or undefined (they then skip with one line). */
export const MSSQL_URL = process.env['REHEARSAL_MSSQL_URL']?.trim() || undefined;

/**
 * Creates a scratch database with a unique run id on the live server, hands it to `work`, and
 * drops it afterwards whatever happened.
 */
export async function withScratchDatabase(url: string, work: (copy: MssqlEngine, runId: string) => Promise<void>): Promise<void> {
  const connection = { connectionString: url, connectionStringSource: 'environment variable REHEARSAL_MSSQL_URL' };
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
      await master.exec(sql`ALTER DATABASE ${ident(database)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE`);
      await master.exec(sql`DROP DATABASE ${ident(database)}`);
    }
  } finally {
    await master.close();
  }
}
