import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MSSQL_URL } from '../helpers/mssql-scratch.js';
import { makeSample, readReport, rehearse, type SampleFixture } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { loadIntoMssql, type LoadedDatabase } from '../../sample-platform/make-sample/load-into-mssql.js';
import { createMssqlEngine } from '../../src/engine/mssql/engine.js';
import { resolveConnection } from '../../src/engine/mssql/config.js';
import { databaseIdQuery, dropDatabaseStatements } from '../../src/engine/mssql/restore-sql.js';
import { rehearsalDatabaseName } from '../../src/engine/mssql/database-name.js';

/**
 * The whole local pipeline on SQL Server: a generated sample is loaded into the server and backed
 * up, then `rehearse all` restores the .bak natively, sanitizes, proves, bills through the sandbox's
 * link to the server, verifies against production's result on the server and drops its copy.
 * Needs REHEARSAL_MSSQL_URL (a disposable server; the login needs CREATE DATABASE and BACKUP) and
 * REHEARSAL_MSSQL_BACKUP_DIR, a folder the SQL Server service can write and read (default
 * /var/opt/mssql/backup). The server must listen on an address this host routes to, and its name
 * in the connection string must be the one the plan names.
 */
const url = MSSQL_URL;

if (url === undefined) {
  t.plan(0, 'SQL Server pipeline suite skipped: set REHEARSAL_MSSQL_URL (and REHEARSAL_MSSQL_BACKUP_DIR) to run whole rehearsals on a disposable SQL Server');
} else {
  const connection = { connectionString: url, connectionStringSource: 'environment variable REHEARSAL_MSSQL_URL' };
  const backupDir = process.env['REHEARSAL_MSSQL_BACKUP_DIR'] ?? '/var/opt/mssql/backup';
  const name = `rehearsal_it_${randomBytes(4).toString('hex')}`;
  let sample: SampleFixture | undefined;
  let loaded: LoadedDatabase[] = [];

  const dropIfPresent = async (databases: readonly string[]): Promise<void> => {
    const master = await createMssqlEngine({ ...connection, database: 'master' });
    try {
      for (const database of databases) {
        const [row] = await master.query<{ database_id: number | null }>(databaseIdQuery(database));
        if (row?.database_id != null) for (const statement of dropDatabaseStatements(database)) await master.exec(statement);
      }
    } finally {
      await master.close();
    }
  };

  t.before(async () => {
    sample = makeSample(300, 11);
    loaded = await loadIntoMssql({
      sample: dirname(sample.snapshot),
      connectionString: url,
      connectionSource: connection.connectionStringSource,
      snapshotDatabase: `${name}_snapshot`,
      productionResultDatabase: `${name}_production_result`,
      backupDir,
    });
  });
  t.teardown(async () => {
    await dropIfPresent(loaded.map((l) => l.database));
    sample?.cleanup();
  });

  const planFor = (label: string, faults: readonly string[] = []): string => {
    const backup = loaded.find((l) => l.database === `${name}_snapshot`)?.backup;
    if (sample === undefined || backup === undefined) throw new Error('the sample was not loaded');
    const server = resolveConnection(connection).target.server;
    const text = readFileSync(join(PROJECT_ROOT, 'plans/example-mssql.yaml'), 'utf8')
      .replace(/^ {2}server: .*$/m, `  server: ${server}`)
      .replace(/^ {2}backupFile: .*$/m, `  backupFile: ${JSON.stringify(backup)}`)
      .replace(/^ {2}database: rehearsal_sample_2000_production_result.*$/m, `  database: ${name}_production_result`)
      .replace('../sanitize/sample-platform.yaml', join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'))
      .replace('faults: []', `faults: [${faults.join(', ')}]`);
    const file = join(sample.dir, `${label}.yaml`);
    writeFileSync(file, `${text}\nreport:\n  dir: ${join(sample.dir, 'reports')}\n`);
    return file;
  };

  t.test('a whole rehearsal on SQL Server says GO and drops its copy', async (t) => {
    const run = rehearse(['--json', 'all', planFor('go')]);
    t.equal(run.status, 0, run.stderr);
    t.equal(run.json?.verdict, 'GO');
    const report = readReport(run.json?.report ?? '');
    t.ok(report.stages.every((s) => s.status === 'passed'), 'every stage passed');
    t.match(report.checks.find((c) => c.id === 'no-egress-during-bill-run'), { status: 'passed', summary: /to the database server/ });
    const master = await createMssqlEngine({ ...connection, database: 'master' });
    try {
      const [row] = await master.query<{ database_id: number | null }>(databaseIdQuery(rehearsalDatabaseName(run.json?.runId ?? 'none')));
      t.equal(row?.database_id ?? null, null, "destroy dropped the run's copy");
    } finally {
      await master.close();
    }
  });

  t.test('a faulty candidate on SQL Server says NO-GO through the production diff', async (t) => {
    const run = rehearse(['--json', 'all', planFor('nogo', ['rounding-half-down'])]);
    t.equal(run.status, 1, run.stderr);
    t.equal(run.json?.verdict, 'NO-GO');
    t.equal(readReport(run.json?.report ?? '').checks.find((c) => c.id === 'production-diff')?.status, 'failed');
  });
}
