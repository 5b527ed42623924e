import t, { type Test } from 'tap';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { config as MssqlConfig } from 'mssql';
import { loadPlan } from '../../src/plan/load.js';
import { preflight } from '../../src/preflight/preflight.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { backupHeaderQuery, databaseStatusQuery } from '../../src/engine/mssql/compatibility.js';
import type { TableInfo } from '../../src/engine/types.js';
import { FakeMssql, type FakeResponse, type SentStatement } from '../mssql/fake-mssql.js';
import { goldenMismatch, tsqlParseError } from '../mssql/golden.js';
import { PROJECT_ROOT, mssqlPlanText } from '../helpers/plan-fixture.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';

/**
 * No SQL Server can be reached from here: these run against fake `mssql` pools that answer the
 * catalogue queries the way SQL Server documents them. What a real server says to
 * RESTORE HEADERONLY and sys.databases is not verified by this file.
 */
const ENV = { REHEARSAL_MSSQL_URL: 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password=not-a-real-one;Encrypt=true' };
const BACKUP = 'D:\\Backups\\billing_2026-11-01.bak';

interface FakeDatabase {
  readonly level: number;
  readonly state?: string;
  readonly tables?: readonly TableInfo[];
}

/** A fake server: a backup file's header, the databases it has, and every statement sent, by database. */
function fakeServer(backup: FakeResponse | Error, databases: Record<string, FakeDatabase>) {
  const sent: { database: string; text: string }[] = [];
  const pools: FakeMssql[] = [];
  const answer = (database: string, statement: SentStatement): FakeResponse | Error => {
    sent.push({ database, text: statement.text });
    if (statement.text.startsWith('RESTORE HEADERONLY')) return backup;
    if (statement.text.startsWith('SELECT [compatibility_level]')) {
      const found = databases[String(statement.inputs[0]?.value)];
      return { recordset: found === undefined ? [] : [{ compatibility_level: found.level, state_desc: found.state ?? 'ONLINE' }] };
    }
    if (statement.text.startsWith('SELECT [c].[TABLE_NAME]')) {
      const tables = databases[database]?.tables ?? [];
      return { recordset: tables.flatMap((table) => table.columns.map((c) => ({ table_name: table.name, column_name: c.name, data_type: c.isText ? 'nvarchar' : 'int' }))) };
    }
    // The adapter's queries: compiled as TOP (0), then their first rows read; an empty source has none.
    if (statement.text.startsWith('SELECT TOP (')) return { recordset: [] };
    return new Error(`the fake server does not answer ${statement.text}`);
  };
  return {
    sent,
    pools,
    createPool: (config: MssqlConfig) => {
      const fake = new FakeMssql();
      pools.push(fake);
      fake.respond = (statement) => answer(config.database ?? 'master', statement);
      return fake.createPool(config);
    },
  };
}

function header(level: number, backupType = 1): FakeResponse {
  return { recordset: [{ Position: 1, BackupType: backupType, CompatibilityLevel: level, DatabaseName: 'EngageIP' }] };
}

/** The sample platform's tables as SQL Server would list them, from the tiny SQLite database. */
async function sampleTables(): Promise<TableInfo[]> {
  const tiny = makeTinyDatabase();
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  try {
    return await engine.tables();
  } finally {
    await engine.close();
    tiny.cleanup();
  }
}

function planIn(dir: string, snapshot: string, productionResult = 'database: billing_after_run') {
  copyFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), join(dir, 'rules.yaml'));
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(dir, 'vendor'), { recursive: true });
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, mssqlPlanText(snapshot, productionResult));
  return { file, plan: loadPlan(file) };
}

function lineOf(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

function onlyReads(t: Test, sent: readonly { text: string }[]): void {
  const writes = sent.filter(({ text }) => !/^(SELECT |RESTORE HEADERONLY )/.test(text));
  t.same(writes, [], 'only catalogue reads were sent: no RESTORE DATABASE, no CREATE, nothing written');
}

t.test('a .bak at compatibility level 120 passes: its fake values need no OPENJSON, and nothing is restored', async (t) => {
  const server = fakeServer(header(120), { billing_after_run: { level: 120 } });
  const { plan } = planIn(t.testdir(), `backupFile: ${JSON.stringify(BACKUP)}`);
  const result = await preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: server.createPool } });
  t.match(result.checked.join('\n'), /snapshot D:\\Backups\\billing_2026-11-01\.bak \(database EngageIP\): compatibility level 120 \(SQL Server 2014\)/);
  t.match(result.checked.join('\n'), /production's result billing_after_run: compatibility level 120/);
  t.match(result.notes.join('\n'), /checked against the copy's schema after the restore/);
  onlyReads(t, server.sent);
  t.ok(server.pools.every((p) => p.events.filter((e) => e === 'close').length === 1), 'every pool it opened is closed');
});

t.test('a .bak below level 110, and a production result that is not on the server, are both refused at their lines', async (t) => {
  const server = fakeServer(header(100), {});
  const { file, plan } = planIn(t.testdir(), `backupFile: ${JSON.stringify(BACKUP)}`);
  const refused = preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: server.createPool } });
  await t.rejects(refused, { name: 'ConfigErrors' });
  const message = (await refused.catch((e: Error) => e)) as Error;
  t.match(message.message, new RegExp(`plan\\.yaml:${lineOf(file, 'backupFile')}:\\d+: the backup .* is at compatibility level 100 \\(SQL Server 2008\\); rehearse needs compatibility level 110 \\(SQL Server 2012\\) or higher`));
  t.match(message.message, new RegExp(`plan\\.yaml:${lineOf(file, 'billing_after_run')}:\\d+: production's result billing_after_run is not a database on SQL Server sql\\.rehearsal\\.example:1433`));
  onlyReads(t, server.sent);
});

t.test('a backup the server cannot read, or one that is not a full backup, is an input problem at backupFile', async (t) => {
  const unreadable = fakeServer(new Error("Cannot open backup device 'D:\\Backups\\billing_2026-11-01.bak'. Operating system error 2(The system cannot find the file specified.)."), { billing_after_run: { level: 150 } });
  const { file, plan } = planIn(t.testdir(), `backupFile: ${JSON.stringify(BACKUP)}`);
  await t.rejects(preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: unreadable.createPool } }), {
    name: 'ConfigError',
    exitCode: 2,
    message: new RegExp(`plan\\.yaml:${lineOf(file, 'backupFile')}:\\d+: SQL Server sql\\.rehearsal\\.example:1433 cannot read the backup .*Operating system error 2`),
  });
  const differential = fakeServer(header(150, 5), { billing_after_run: { level: 150 } });
  await t.rejects(preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: differential.createPool } }), { message: /is not a full database backup/ });
});

t.test('a database source (RDS DB snapshot) is checked for state and level, and the rules against its schema', async (t) => {
  const tables = await sampleTables();
  const dir = t.testdir();
  const { file, plan } = planIn(dir, 'database: billing_before_run');
  const good = fakeServer(header(0), { billing_before_run: { level: 110, tables }, billing_after_run: { level: 110 } });
  const passed = await preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: good.createPool } });
  t.match(passed.checked.join('\n'), /rules match the snapshot's tables, columns and types/);
  t.match(passed.checked.join('\n'), /adapter .*adapter\.yaml: \d+ queries compile against the snapshot/);
  t.ok(good.sent.some((s) => s.database === 'billing_before_run' && s.text.startsWith('SELECT TOP (100) * FROM (SELECT c.id AS contact_id')), "the adapter's first rows were read from the source database");
  t.ok(good.sent.some((s) => s.database === 'billing_before_run' && s.text.startsWith('SELECT [c].[TABLE_NAME]')), "the schema was read from the source database");
  onlyReads(t, good.sent);
  t.ok(good.pools.every((p) => p.events.includes('close')), 'the source connection is closed');

  writeFileSync(join(dir, 'rules.yaml'), readFileSync(join(dir, 'rules.yaml'), 'utf8').replace('- table: contacts', '- table: contact_details'));
  await t.rejects(preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: good.createPool } }), { message: /rules\.yaml:\d+:\d+: unknown table `contact_details`/ });

  // A query that compiles but fails on the rows: SQL Server quotes the value it choked on, an unsanitized address here.
  const textKey = fakeServer(header(0), { billing_before_run: { level: 110, tables }, billing_after_run: { level: 110 } });
  const answerGood = textKey.createPool;
  const conversion = Object.assign(new Error("Conversion failed when converting the nvarchar value 'ann.o''brien@northwind-telecom.example' to data type int."), { name: 'RequestError', number: 245 });
  const refusing = (config: MssqlConfig) => {
    const pool = answerGood(config);
    const fake = textKey.pools.at(-1) as FakeMssql;
    const answer = fake.respond;
    fake.respond = (statement) => (statement.text.startsWith('SELECT TOP (100) * FROM (SELECT c.id AS contact_id') ? conversion : answer(statement));
    return pool;
  };
  const refused = (await preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: refusing } }).catch((e: unknown) => e)) as Error;
  t.equal((refused as { exitCode?: number }).exitCode, 2, 'an input problem, exit 2');
  t.match(refused.message, `adapter.yaml:${lineOf(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'SELECT c.id AS contact_id')}:`);
  t.match(refused.message, "concept `contactEmails` fails when its first rows are read from the snapshot");
  t.match(refused.message, "Conversion failed when converting the nvarchar value '…' to data type int");
  t.notMatch(refused.message, /brien|northwind/, 'the value SQL Server quoted is withheld');

  const restoring = fakeServer(header(0), { billing_before_run: { level: 150, state: 'RESTORING', tables }, billing_after_run: { level: 150 } });
  await t.rejects(preflight(plan, { askSqlServer: 'always', env: ENV, sqlServer: { createPool: restoring.createPool } }), {
    message: new RegExp(`plan\\.yaml:${lineOf(file, 'billing_before_run')}:\\d+: the snapshot database billing_before_run .* is RESTORING, not ONLINE`),
  });
});

t.test('`check` and `up` without the connection string say SQL Server was not asked; `all` and the stages need it', async (t) => {
  const server = fakeServer(header(150), {});
  const { plan } = planIn(t.testdir(), `backupFile: ${JSON.stringify(BACKUP)}`);
  const checked = await preflight(plan, { askSqlServer: 'when-configured', env: {}, sqlServer: { createPool: server.createPool } });
  t.match(checked.notes.join('\n'), /SQL Server was not asked: REHEARSAL_MSSQL_URL is not set/);
  t.same(server.pools, [], 'no connection was tried');
  await t.rejects(preflight(plan, { askSqlServer: 'always', env: {}, sqlServer: { createPool: server.createPool } }), { exitCode: 2, message: /REHEARSAL_MSSQL_URL .* is not set/ });
});

t.test('the pre-flight T-SQL matches tests/golden/tsql/preflight.sql and is plain T-SQL', async (t) => {
  const statements = [
    { name: 'backup header', fragment: backupHeaderQuery(BACKUP), unparsable: 'node-sql-parser 5.4 transactsql has no RESTORE statement' },
    { name: 'database state and compatibility level', fragment: databaseStatusQuery('EngageIP_after_billrun') },
  ];
  const mismatch = goldenMismatch('preflight.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches the golden file');
  for (const { name, fragment, unparsable } of statements) {
    const { text, params } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `${name}: no other dialect's constructs`);
    t.same(Object.values(params), [name === 'backup header' ? BACKUP : 'EngageIP_after_billrun'], `${name}: the name is a parameter`);
    if (unparsable === undefined) t.equal(tsqlParseError(text), undefined, `${name}: parses as T-SQL`);
  }
});
