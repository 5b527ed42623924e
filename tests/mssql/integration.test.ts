import t, { type Test } from 'tap';
import { MSSQL_URL, withScratchDatabase } from '../helpers/mssql-scratch.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, ident } from '../../src/sql/fragment.js';
import type { MssqlEngine } from '../../src/engine/mssql/engine.js';
import { writeRunMarker, assertRunMarker } from '../../src/run/marker.js';
import { runVendorScripts } from '../../src/sanitize/vendor-scripts.js';

/**
 * Runs against a real SQL Server only when REHEARSAL_MSSQL_URL holds an ADO connection string of
 * a disposable server (its login needs CREATE DATABASE). It restores nothing: it creates a
 * scratch database with a unique name, marks it, runs a GO-separated script and drops it.
 */
const url = MSSQL_URL;

if (url === undefined) {
  t.plan(0, 'SQL Server integration suite skipped: set REHEARSAL_MSSQL_URL to the connection string of a disposable SQL Server to run it');
} else {
  t.test('scratch database: marker, vendor script with GO batches, drop', async (t) => {
    await withScratchDatabase(url, (copy, runId) => exercise(t, copy, runId));
  });

  async function exercise(t: Test, copy: MssqlEngine, runId: string): Promise<void> {
    await t.rejects(assertRunMarker(copy, runId, 'sanitize'), /carries no rehearsal run marker/, 'an unmarked database is refused');
    await writeRunMarker(copy, { runId, createdAt: new Date().toISOString(), source: 'integration test' });
    await assertRunMarker(copy, runId, 'sanitize');

    const dir = mkdtempSync(join(tmpdir(), 'rehearsal-mssql-it-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'scrub.sql');
    writeFileSync(
      script,
      [
        'CREATE TABLE [Contact] ([ID] INT IDENTITY PRIMARY KEY, [Email] NVARCHAR(200), [Notes] NVARCHAR(MAX))',
        'GO',
        "INSERT INTO [Contact] ([Email], [Notes]) VALUES (N'a@northwind.example', N'GO')",
        'GO 3',
        "UPDATE [Contact] SET [Email] = N'user' + CAST([ID] AS NVARCHAR(20)) + N'@rehearsal.invalid', [Notes] = N'line",
        'GO',
        "kept'",
        'GO',
      ].join('\r\n'),
    );
    const results = await runVendorScripts(copy, runId, [script]);
    t.same(results.map((r) => r.rowsAffected), [0, 3, 3], 'rows affected per batch, GO 3 ran three times');

    const rows = await copy.query<{ n: number }>(sql`SELECT COUNT(*) AS ${ident('n')} FROM ${ident('Contact')} WHERE ${ident('Email')} LIKE ${'%@rehearsal.invalid'} AND ${ident('Notes')} = ${'line\r\nGO\r\nkept'}`);
    t.equal(rows[0]?.n, 3, 'the GO inside the string stayed part of the value');

    const streamed: number[] = [];
    for await (const row of copy.stream<{ ID: number }>(sql`SELECT ${ident('ID')} FROM ${ident('Contact')} ORDER BY ${ident('ID')}`)) streamed.push(row.ID);
    t.same(streamed, [1, 2, 3], 'streaming read');

    await t.rejects(
      copy.transaction(async (tx) => {
        await tx.exec(sql`DELETE FROM ${ident('Contact')}`);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    t.equal((await copy.query<{ n: number }>(sql`SELECT COUNT(*) AS ${ident('n')} FROM ${ident('Contact')}`))[0]?.n, 3, 'the rolled-back DELETE left every row');
  }
}
