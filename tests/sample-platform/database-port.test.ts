import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { MssqlDatabase, openMssqlDatabase } from '../../sample-platform/service/database/mssql.js';
import { portable } from '../../sample-platform/service/database/port.js';
import type { PlatformDatabase } from '../../sample-platform/service/database/port.js';
import { openSqliteDatabase } from '../../sample-platform/service/database/sqlite.js';
import { FakePool } from './fake-mssql.js';
import { tempDir } from './helpers.js';
import type { Teardown } from './helpers.js';

const insert = portable('INSERT INTO t (n, s) VALUES (?, ?)');
const count = portable('SELECT COUNT(*) AS n FROM t');

t.test('mssql: values are bound as @p0, @p1... in the order given, each with its declared type', async (t) => {
  const pool = new FakePool();
  const db = new MssqlDatabase(pool);
  const long = 'x'.repeat(4001);
  await db.run(portable('UPDATE t SET a = ?, b = ?, c = ?, d = ?, e = ? WHERE id = ?'), 'text', null, -(2 ** 31), 2 ** 31, long, 7);
  t.equal(pool.sent[0]?.text, 'UPDATE t SET a = @p0, b = @p1, c = @p2, d = @p3, e = @p4 WHERE id = @p5');
  t.same(pool.sent[0]?.inputs, [
    { name: 'p0', type: 'nvarchar', length: 4000, value: 'text' },
    { name: 'p1', type: 'nvarchar', length: 4000, value: null },
    { name: 'p2', type: 'int', value: -(2 ** 31) },
    { name: 'p3', type: 'bigint', value: 2 ** 31 },
    { name: 'p4', type: 'nvarchar', length: 65535, value: long },
    { name: 'p5', type: 'int', value: 7 },
  ]);
});

t.test('mssql: a fractional number is refused before anything is sent', async (t) => {
  const pool = new FakePool();
  await t.rejects(new MssqlDatabase(pool).run(insert, 1.5, 'a'), /whole numbers only/);
  t.same(pool.sent, []);
});

t.test('mssql: run sums rows affected over the statements of the text; get takes the first row', async (t) => {
  const pool = new FakePool((sent) =>
    sent.text.startsWith('UPDATE') ? { rowsAffected: [2, 0, 3] } : { recordset: [{ id: 4 }, { id: 5 }] as never },
  );
  const db = new MssqlDatabase(pool);
  t.equal(await db.run(portable('UPDATE t SET n = 1')), 5);
  t.same(await db.get(portable('SELECT id FROM t')), { id: 4 });
  t.same(await db.all(portable('SELECT id FROM t')), [{ id: 4 }, { id: 5 }]);
  const empty = new MssqlDatabase(new FakePool(() => ({ recordset: [] as never, rowsAffected: [] })));
  t.equal(await empty.get(portable('SELECT id FROM t')), undefined);
  t.equal(await empty.run(portable('DELETE FROM t')), 0);
});

t.test('mssql: a transaction sends its statements on its own connection and commits when the work resolves', async (t) => {
  const pool = new FakePool();
  const db = new MssqlDatabase(pool);
  const result = await db.transaction(async (tx) => {
    await tx.run(insert, 1, 'a');
    // nested: joins, no second BEGIN
    await tx.transaction(async (inner) => inner.run(insert, 2, 'b'));
    return 'done';
  });
  await db.run(insert, 3, 'c');
  t.equal(result, 'done');
  t.same(pool.events, ['begin 1', 'query 1', 'query 1', 'commit 1', 'query pool']);
});

t.test('mssql: a transaction whose work throws is rolled back and the work\'s error comes out, even when rollback fails', async (t) => {
  const pool = new FakePool((sent) => (sent.inputs[0]?.value === 2 ? new Error('Violation of PRIMARY KEY constraint') : {}));
  const db = new MssqlDatabase(pool);
  await t.rejects(
    db.transaction(async (tx) => {
      await tx.run(insert, 1, 'a');
      await tx.run(insert, 2, 'b');
    }),
    /Violation of PRIMARY KEY/,
  );
  t.same(pool.events, ['begin 1', 'query 1', 'query 1', 'rollback 1']);

  const aborted = new FakePool();
  const original = aborted.transaction.bind(aborted);
  aborted.transaction = () => Object.assign(original(), { failRollback: true });
  await t.rejects(new MssqlDatabase(aborted).transaction(async () => { throw new Error('work failed'); }), /work failed/);
  t.same(aborted.events, ['begin 1', 'rollback 1']);
});

t.test('mssql: closing the handle given to transaction work leaves the pool open', async (t) => {
  const pool = new FakePool();
  const db = new MssqlDatabase(pool);
  await db.transaction(async (tx) => tx.close());
  t.equal(pool.closed, false);
  await db.close();
  t.equal(pool.closed, true);
});

t.test('mssql: the connection string and its password never reach an error message', async (t) => {
  const secret = 'S3cret;Pass';
  const connectionString = `Server=db.example.test,1433;Database=billing;User Id=sa;Password={${secret}};Encrypt=true`;
  const failing = new FakePool(undefined, new Error(`Login failed for user 'sa' with password '${secret}' (${secret.toLowerCase()})`));
  let configSeen: Record<string, unknown> | undefined;
  const error = await openMssqlDatabase({
    connectionString, source: 'environment variable TEST_DB', database: 'master',
    createPool: (config) => ((configSeen = config as unknown as Record<string, unknown>), failing),
  }).catch((e: unknown) => e);
  t.type(error, UserError);
  t.match((error as Error).message, /Could not connect to SQL Server db\.example\.test with the connection string in environment variable TEST_DB/);
  t.notMatch((error as Error).message.toLowerCase(), secret.toLowerCase(), 'nor in the lower case some driver messages use');
  t.equal(failing.closed, true, 'the pool is closed after a failed connect');
  t.match(configSeen, { server: 'db.example.test', database: 'master', password: secret }, 'the database option replaces the string\'s');

  // With `Server=` empty the parser reads the next key, password and all, as the server name.
  for (const unreadableString of [`Password=${secret};Server=`, `Server=;Password=${secret}`]) {
    const unreadable = await openMssqlDatabase({
      connectionString: unreadableString, source: 'environment variable TEST_DB', createPool: () => t.fail('no pool for an unreadable string') as never,
    }).catch((e: unknown) => e);
    t.type(unreadable, UserError);
    t.match((unreadable as Error).message, /could not be read or names no server/);
    t.notMatch((unreadable as Error).message, secret);
  }
});

t.test('mssql: the last Server and Database of the string win, as the rehearsal driver appends its copy\'s', async (t) => {
  let seen: Record<string, unknown> | undefined;
  const pool = new FakePool();
  await openMssqlDatabase({
    connectionString: 'Server=prod.example.test,1433;Database=billing;User Id=svc;Password={a;b};Server=10.200.0.1,1500;Database={rehearsal_x}',
    source: 'environment variable REHEARSAL_PLATFORM_DB',
    createPool: (config) => ((seen = config as unknown as Record<string, unknown>), pool),
  });
  t.match(seen, { server: '10.200.0.1', port: 1500, database: 'rehearsal_x', password: 'a;b', requestTimeout: 600_000 });
  t.equal(pool.connected, true);
});

function sqliteTable(t: Teardown): { db: PlatformDatabase; file: string } {
  const file = join(tempDir(t), 'port.db');
  const raw = new Database(file);
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE, s TEXT)');
  raw.close();
  const db = openSqliteDatabase(file);
  t.teardown(() => db.close());
  return { db, file };
}

t.test('sqlite: run reports rows changed; RETURNING gives the new id', async (t) => {
  const { db } = sqliteTable(t);
  t.same(await db.get(portable('INSERT INTO t (n, s) VALUES (?, ?) RETURNING id'), 10, 'a'), { id: 1 });
  await db.run(insert, 11, 'b');
  t.equal(await db.run(portable('UPDATE t SET s = ? WHERE n >= ?'), 'z', 10), 2);
  t.same(await db.all(portable('SELECT n, s FROM t ORDER BY n')), [{ n: 10, s: 'z' }, { n: 11, s: 'z' }]);
});

t.test('sqlite: a transaction commits when its work resolves and rolls back when it throws, across awaits', async (t) => {
  const { db } = sqliteTable(t);
  await db.transaction(async (tx) => {
    await tx.run(insert, 1, 'a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await tx.transaction(async (inner) => inner.run(insert, 2, 'b'));
  });
  t.same(await db.get(count), { n: 2 });
  await t.rejects(
    db.transaction(async (tx) => {
      await tx.run(insert, 3, 'c');
      await tx.run(insert, 1, 'duplicate');
    }),
    /UNIQUE constraint failed/,
  );
  t.same(await db.get(count), { n: 2 }, 'the row inserted before the failure is gone');
  await db.transaction(async (tx) => tx.run(insert, 4, 'd'));
  t.same(await db.get(count), { n: 3 }, 'the next transaction starts cleanly');
});
