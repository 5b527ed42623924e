import t from 'tap';
import { join } from 'node:path';
import type { config as MssqlConfig } from 'mssql';
import { UserError } from '../../src/errors.js';
import { loadIntoMssql } from '../../sample-platform/make-sample/load-into-mssql.js';
import type { LoadIntoMssqlOptions } from '../../sample-platform/make-sample/load-into-mssql.js';
import {
  backupStatement, createDatabaseStatement, databaseIdQuery, identityTablesQuery, insertStatement, rowsPerInsert,
} from '../../sample-platform/make-sample/mssql-load-statements.js';
import { FakePool } from './fake-mssql.js';
import type { SentRequest } from './fake-mssql.js';
import { makeSnapshot, query, tempDir, userTables } from './helpers.js';
import { lint, parseError } from './tsql-check.js';

const CONNECTION = 'Server=sql.example.test,1433;User Id=loader;Password=L0ader!pw;Encrypt=true';

/**
 * A pretend server behind fake pools: it knows which databases exist and, from the schema text
 * it is sent, which tables have an IDENTITY column. Everything sent is kept, tagged by database.
 */
class FakeServer {
  readonly sent: (SentRequest & { database: string })[] = [];
  readonly databases = new Set(['master']);
  private readonly identity = new Set<string>();

  createPool = (config: MssqlConfig): FakePool => {
    const database = String(config.database);
    const pool: FakePool = new FakePool((request) => {
      this.sent.push({ ...request, database });
      if (request.text === databaseIdQuery()) return { recordset: [{ database_id: this.databases.has(String(request.inputs[0]?.value)) ? 5 : null }] as never };
      if (request.text.startsWith('CREATE DATABASE')) this.databases.add(/\[(\w+)\]/.exec(request.text)?.[1] ?? '');
      if (request.text.includes('CREATE TABLE')) {
        for (const m of request.text.matchAll(/CREATE TABLE (\w+) \(\n\s+id INT IDENTITY/g)) this.identity.add(m[1] as string);
      }
      if (request.text === identityTablesQuery()) return { recordset: [...this.identity].map((table_name) => ({ table_name })) as never };
      return {};
    });
    return pool;
  };

  inserts(database: string): (SentRequest & { database: string })[] {
    return this.sent.filter((s) => s.database === database && /INSERT INTO/.test(s.text));
  }
}

function sample(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  // Two different seeds, so each file's rows can only have come from that file.
  makeSnapshot(dir, 30, 3, 'snapshot.db');
  makeSnapshot(dir, 25, 4, 'production-result.db');
  return dir;
}

function options(dir: string, server: FakeServer, more: Partial<LoadIntoMssqlOptions> = {}): LoadIntoMssqlOptions {
  return {
    sample: dir, connectionString: CONNECTION, connectionSource: 'environment variable TEST_ADMIN',
    snapshotDatabase: 'rehearsal_snapshot', productionResultDatabase: 'rehearsal_production', createPool: server.createPool, ...more,
  };
}

/** The rows a database received, rebuilt from the INSERT texts and the values bound to them. */
function rowsReceived(server: FakeServer, database: string): Map<string, unknown[][]> {
  const tables = new Map<string, unknown[][]>();
  for (const sent of server.inserts(database)) {
    const match = /INSERT INTO \[(\w+)\] \(([^)]*)\) VALUES/.exec(sent.text);
    if (!match) throw new Error(`unexpected insert: ${sent.text.slice(0, 80)}`);
    const width = (match[2] as string).split(',').length;
    const rows = tables.get(match[1] as string) ?? [];
    for (let i = 0; i < sent.inputs.length; i += width) rows.push(sent.inputs.slice(i, i + width).map((input) => input.value));
    tables.set(match[1] as string, rows);
  }
  return tables;
}

t.test('each SQLite file lands in its own new database, every row and id as it was, then a COPY_ONLY backup', async (t) => {
  const dir = sample(t);
  const server = new FakeServer();
  const loaded = await loadIntoMssql(options(dir, server, { backupDir: '/var/opt/mssql/backup' }));
  t.same(loaded.map((l) => [l.database, l.backup]), [
    ['rehearsal_snapshot', '/var/opt/mssql/backup/rehearsal_snapshot.bak'],
    ['rehearsal_production', '/var/opt/mssql/backup/rehearsal_production.bak'],
  ]);

  for (const [file, database] of [['snapshot.db', 'rehearsal_snapshot'], ['production-result.db', 'rehearsal_production']] as const) {
    const source = join(dir, file);
    const received = rowsReceived(server, database);
    let total = 0;
    for (const table of userTables(source)) {
      const expected = query<Record<string, unknown>>(source, `SELECT * FROM "${table}" ORDER BY rowid`).map((row) => Object.values(row));
      t.same(received.get(table) ?? [], expected, `${database}.${table}: ${expected.length} rows, values and ids unchanged`);
      total += expected.length;
    }
    t.equal(loaded.find((l) => l.database === database)?.rows, total);
    t.ok(server.sent.some((s) => s.database === database && s.text.includes('CREATE TABLE accounts')), `${database} got the schema`);
  }

  const onMaster = server.sent.filter((s) => s.database === 'master').map((s) => s.text);
  t.same(onMaster, [
    databaseIdQuery(), databaseIdQuery(),
    createDatabaseStatement('rehearsal_snapshot'), backupStatement('rehearsal_snapshot'),
    createDatabaseStatement('rehearsal_production'), backupStatement('rehearsal_production'),
  ], 'checked both names first, then created and backed up one after the other');
  t.equal(createDatabaseStatement('rehearsal_snapshot'), 'CREATE DATABASE [rehearsal_snapshot] COLLATE Latin1_General_100_BIN2');
  const backup = server.sent.find((s) => s.text === backupStatement('rehearsal_production'));
  t.same(backup?.inputs.map((i) => i.value), ['/var/opt/mssql/backup/rehearsal_production.bak'], 'the path is a parameter');
});

t.test('ids are kept with IDENTITY_INSERT on the tables that have an identity, and only there', async (t) => {
  const server = new FakeServer();
  await loadIntoMssql(options(sample(t), server));
  for (const sent of server.inserts('rehearsal_snapshot')) {
    const table = /INSERT INTO \[(\w+)\]/.exec(sent.text)?.[1] ?? '';
    const wrapped = /^SET IDENTITY_INSERT \[(\w+)\] ON; INSERT INTO .*; SET IDENTITY_INSERT \[(\w+)\] OFF;$/s.exec(sent.text);
    const hasIdentity = !['settings', 'platform_info', 'role_permissions', 'staff_user_permissions', 'bill_run_settings'].includes(table);
    t.equal(wrapped !== null && wrapped[1] === table && wrapped[2] === table, hasIdentity, `${table}: ${hasIdentity ? 'wrapped' : 'plain'}`);
    t.ok(sent.inputs.length <= 2000, `${table}: ${sent.inputs.length} values in one request`);
  }
  t.notOk(server.sent.some((s) => s.text.includes('BACKUP')), 'no backup unless asked');
});

t.test('the loader never writes into a database that exists, and names are checked before anything is created', async (t) => {
  const dir = sample(t);
  const server = new FakeServer();
  server.databases.add('rehearsal_production');
  await t.rejects(loadIntoMssql(options(dir, server)), { name: 'UserError', message: /rehearsal_production already exists/ });
  t.notOk(server.sent.some((s) => s.text.startsWith('CREATE DATABASE')), 'not even the other one is created');

  for (const bad of ['x]; DROP DATABASE master; --', '1abc', '']) {
    await t.rejects(loadIntoMssql(options(dir, new FakeServer(), { snapshotDatabase: bad })), UserError, JSON.stringify(bad));
  }
  await t.rejects(loadIntoMssql(options(dir, new FakeServer(), { productionResultDatabase: 'rehearsal_snapshot' })), /two databases/);
  await t.rejects(loadIntoMssql(options(join(dir, 'missing'), new FakeServer())), /snapshot\.db is missing/);
});

t.test('every statement the loader sends passes the T-SQL lint; those node-sql-parser knows parse as transactsql', async (t) => {
  const server = new FakeServer();
  await loadIntoMssql(options(sample(t), server, { backupDir: 'D:\\Backups' }));
  const texts = new Set(server.sent.map((s) => s.text));
  for (const text of texts) t.same(lint(text), [], text.slice(0, 60));
  t.ok(texts.has(backupStatement('rehearsal_snapshot')));
  t.ok(server.sent.some((s) => s.inputs[0]?.value === 'D:\\Backups\\rehearsal_snapshot.bak'), 'a Windows server path is joined with \\');
  for (const text of [databaseIdQuery(), createDatabaseStatement('rehearsal_snapshot'), identityTablesQuery(), insertStatement('invoices', ['id', 'account_id'], 3)]) {
    t.equal(parseError(text, 'transactsql'), undefined, text.slice(0, 60));
  }
  // node-sql-parser 5.4 knows neither SET IDENTITY_INSERT nor BACKUP: the insert inside is parsed alone.
  const wrapped = insertStatement('invoices', ['id', 'account_id'], 2, true);
  t.equal(wrapped, 'SET IDENTITY_INSERT [invoices] ON; INSERT INTO [invoices] ([id], [account_id]) VALUES (@p0, @p1), (@p2, @p3); SET IDENTITY_INSERT [invoices] OFF;');
  t.equal(parseError(wrapped.split('; ')[1] as string, 'transactsql'), undefined);
});

t.test('INSERT batches stay within SQL Server\'s 2,100 parameters and 1,000 rows', async (t) => {
  t.equal(rowsPerInsert(1), 1000);
  t.equal(rowsPerInsert(12), 166);
  t.equal(rowsPerInsert(2001), 1);
  t.throws(() => insertStatement('t', ['a', 'b'], 1001), /do not fit one INSERT/);
  t.throws(() => insertStatement('t', Array.from({ length: 12 }, (_, i) => `c${i}`), 167), /do not fit one INSERT/);
});
