import t from 'tap';
import mssql from 'mssql';
import { sql, ident } from '../../src/sql/fragment.js';
import { createMssqlEngine, type MssqlEngineOptions } from '../../src/engine/mssql/engine.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/engine/mssql/config.js';
import { STREAM_HIGH_WATER } from '../../src/engine/mssql/row-stream.js';
import { writeRunMarker, assertRunMarker } from '../../src/run/marker.js';
import { UserError } from '../../src/errors.js';
import { FakeMssql } from './fake-mssql.js';

const PASSWORD = 'S3cret;pass';
const CONNECTION = `Server=sql-rehearsal.example.test,1433;Database=billing;User Id=rehearsal;Password={${PASSWORD}}`;

async function open(fake: FakeMssql, options: Partial<MssqlEngineOptions> = {}) {
  return createMssqlEngine({ connectionString: CONNECTION, connectionStringSource: 'environment variable TEST_URL', createPool: fake.createPool, ...options });
}

t.test('binds every value as a typed named parameter and sums rows affected', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => ({ rowsAffected: [2, 3] });
  const engine = await open(fake);
  const blob = Buffer.from([1, 2, 3]);
  const result = await engine.exec(
    sql`UPDATE ${ident('t')} SET ${ident('a')} = ${"O'Brien"}, ${ident('b')} = ${42}, ${ident('c')} = ${2 ** 40}, ${ident('d')} = ${1.5}, ${ident('e')} = ${true}, ${ident('f')} = ${null}, ${ident('g')} = ${blob}, ${ident('h')} = ${10n}`,
  );
  t.equal(result.rowsAffected, 5, 'sum of the rowsAffected of each statement');
  const [sent] = fake.sent;
  t.equal(sent?.via, 'query', 'parameterized statements go through sp_executesql');
  t.equal(sent?.text, 'UPDATE [t] SET [a] = @p0, [b] = @p1, [c] = @p2, [d] = @p3, [e] = @p4, [f] = @p5, [g] = @p6, [h] = @p7');
  const types = sent?.inputs.map((i) => [i.name, i.type.type, (i.type as { length?: number }).length]);
  t.same(types, [
    ['p0', mssql.NVarChar, mssql.MAX],
    ['p1', mssql.Int, undefined],
    ['p2', mssql.BigInt, undefined],
    ['p3', mssql.Float, undefined],
    ['p4', mssql.Bit, undefined],
    ['p5', mssql.NVarChar, mssql.MAX],
    ['p6', mssql.VarBinary, mssql.MAX],
    ['p7', mssql.BigInt, undefined],
  ]);
  t.same(sent?.inputs.map((i) => i.value), ["O'Brien", 42, 2 ** 40, 1.5, true, null, blob, 10n], 'values bound unchanged');
});

t.test('a statement without values is sent as a plain batch', async (t) => {
  const fake = new FakeMssql();
  const engine = await open(fake);
  await engine.exec(sql`CREATE TABLE ${ident('x')} (${ident('a')} INT)`);
  t.equal(fake.sent[0]?.via, 'batch');
  t.same(fake.sent[0]?.inputs, []);
});

t.test('query returns the first recordset with dates as ISO text', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => ({ recordset: [{ id: 1, billed_at: new Date('2026-11-01T00:00:00Z') }] });
  const engine = await open(fake);
  t.same(await engine.query(sql`SELECT 1`), [{ id: 1, billed_at: '2026-11-01T00:00:00.000Z' }]);
});

t.test('non-finite numbers are refused before anything is sent', async (t) => {
  const fake = new FakeMssql();
  const engine = await open(fake);
  await t.rejects(engine.exec(sql`SELECT ${Number.NaN}`), /only finite numbers/);
  t.equal(fake.sent.length, 0);
});

t.test('transaction commits, sends its statements on the transaction, and nests into one', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => ({ rowsAffected: [1] });
  const engine = await open(fake);
  const value = await engine.transaction(async (tx) => {
    await tx.exec(sql`UPDATE ${ident('a')} SET ${ident('x')} = ${1}`);
    return tx.transaction(async (inner) => {
      await inner.exec(sql`UPDATE ${ident('b')} SET ${ident('x')} = ${2}`);
      return 'done';
    });
  });
  t.equal(value, 'done');
  t.same(fake.events, ['connect', 'begin 1', 'commit 1'], 'one transaction, committed once');
  t.same(fake.sent.map((s) => s.on), [1, 1], 'both statements on the transaction');
});

t.test('transaction rolls back when the work throws and rethrows its error', async (t) => {
  const fake = new FakeMssql();
  const engine = await open(fake);
  await t.rejects(
    engine.transaction(async (tx) => {
      await tx.exec(sql`DELETE FROM ${ident('a')}`);
      throw new Error('check failed');
    }),
    { message: 'check failed' },
  );
  t.same(fake.events, ['connect', 'begin 1', 'rollback 1']);
});

t.test('a transaction the server already aborted still reports the statement error', async (t) => {
  const fake = new FakeMssql();
  const statementError = new Error('Arithmetic overflow');
  fake.respond = () => statementError;
  fake.rollbackError = new Error('Transaction has been aborted.');
  const engine = await open(fake);
  await t.rejects(engine.transaction((tx) => tx.exec(sql`UPDATE ${ident('a')} SET ${ident('x')} = ${1}`)), statementError);
});

t.test('stream pauses the request while a slow consumer catches up', async (t) => {
  const fake = new FakeMssql();
  const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i }));
  fake.respond = () => ({ recordset: rows });
  const engine = await open(fake);
  const received: number[] = [];
  let mostAhead = 0;
  for await (const row of engine.stream<{ id: number }>(sql`SELECT ${ident('id')} FROM ${ident('big')}`)) {
    received.push(row.id);
    mostAhead = Math.max(mostAhead, fake.streamStats.emitted - received.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.same(received, rows.map((r) => r.id), 'every row arrives, in order');
  t.ok(fake.streamStats.pauses > 0, 'the request was paused');
  t.ok(mostAhead <= STREAM_HIGH_WATER, `the driver never ran more than ${STREAM_HIGH_WATER} rows ahead (was ${mostAhead})`);
});

t.test('leaving a stream early cancels the request', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => ({ recordset: Array.from({ length: 1000 }, (_, i) => ({ id: i })) });
  const engine = await open(fake);
  for await (const row of engine.stream<{ id: number }>(sql`SELECT ${ident('id')} FROM ${ident('big')}`)) {
    if (row.id === 10) break;
  }
  t.ok(fake.streamStats.cancelled);
});

t.test('a stream error reaches the consumer', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => new Error("Invalid object name 'nope'.");
  const engine = await open(fake);
  await t.rejects(async () => {
    for await (const row of engine.stream(sql`SELECT * FROM ${ident('nope')}`)) t.fail(`no rows expected, got ${JSON.stringify(row)}`);
  }, /Invalid object name/);
});

t.test('connection settings: TLS on, certificate checked, long request timeout, pool size', async (t) => {
  const fake = new FakeMssql();
  await open(fake);
  const config = fake.configs[0];
  t.equal(config?.options?.encrypt, true, 'encrypt by default');
  t.equal(config?.options?.trustServerCertificate, false, 'certificates are verified by default');
  t.equal(config?.requestTimeout, DEFAULT_REQUEST_TIMEOUT_MS, 'long default request timeout');
  t.equal(config?.server, 'sql-rehearsal.example.test');
  t.equal(config?.database, 'billing');
  t.equal(config?.password, PASSWORD, 'braced password with ; kept whole');

  const custom = new FakeMssql();
  await open(custom, { requestTimeoutMs: 0, connectionTimeoutMs: 5000, poolMax: 2, database: 'rehearsal_x', trustServerCertificate: true, encrypt: false });
  const c = custom.configs[0];
  t.same([c?.requestTimeout, c?.connectionTimeout, c?.pool?.max, c?.database, c?.options?.trustServerCertificate, c?.options?.encrypt], [0, 5000, 2, 'rehearsal_x', true, false]);
});

t.test('connection failures become one clear paragraph without the password', async (t) => {
  const failures: [string, Error & { code?: string }][] = [
    ['ELOGIN', Object.assign(new Error(`Login failed for user 'rehearsal'. ${CONNECTION}`), { code: 'ELOGIN' })],
    ['ETIMEOUT', Object.assign(new Error(`Failed to connect in 30000ms ${CONNECTION}`), { code: 'ETIMEOUT' })],
    ['certificate', Object.assign(new Error('Failed to connect: self-signed certificate in certificate chain'), { code: 'ESOCKET' })],
    // tedious keeps one socket error per address it tried in an AggregateError
    ['refused', Object.assign(new Error('Failed to connect to sql-rehearsal.example.test:1433 - Could not connect (sequence)'), {
      code: 'ESOCKET',
      originalError: { message: 'Could not connect (sequence)', cause: { errors: [{ code: 'ECONNREFUSED' }] } },
    })],
    ['no code', new Error(`The connection ended without ever completing the connection ${CONNECTION}`)],
  ];
  const expected: Record<string, RegExp> = {
    ELOGIN: /refused the login/,
    ETIMEOUT: /Cannot reach SQL Server sql-rehearsal\.example\.test:1433/,
    certificate: /trustServerCertificate is false/,
    refused: /SQL Server sql-rehearsal\.example\.test:1433 database billing \(login rehearsal\) refused the connection/,
    'no code': /Cannot connect to SQL Server sql-rehearsal\.example\.test:1433 database billing \(login rehearsal\)/,
  };
  for (const [name, error] of failures) {
    const fake = new FakeMssql();
    fake.connectError = error;
    const failure = (await open(fake).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    t.type(failure, UserError, name);
    t.match(failure.message, expected[name] ?? /never/, name);
    t.match(failure.message, /environment variable TEST_URL/, `${name}: says where the setting lives`);
    t.notMatch(failure.message, PASSWORD, `${name}: no password`);
    t.same(fake.events, ['connect', 'close'], `${name}: pool closed after the failed connect`);
  }
});

t.test('a connection string without a server is refused without echoing it', async (t) => {
  // An empty `Server=` would otherwise make the next pair, the password included, the host name.
  for (const connectionString of [`mssql://sa:${PASSWORD}@db/x`, `Server=;Password=${PASSWORD}`, `Server=;User Id=sa;Password=${PASSWORD}`]) {
    const fake = new FakeMssql();
    const failure = (await open(fake, { connectionString }).catch((e: unknown) => e)) as Error;
    t.type(failure, UserError);
    t.match(failure.message, /names no server/);
    t.notMatch(failure.message, PASSWORD);
    t.equal(fake.configs.length, 0, 'no pool was created');
  }
});

t.test('tables() lists the default schema with text columns marked', async (t) => {
  const fake = new FakeMssql();
  fake.respond = () => ({
    recordset: [
      { table_name: 'accounts', column_name: 'id', data_type: 'int' },
      { table_name: 'accounts', column_name: 'name', data_type: 'nvarchar' },
      { table_name: 'eventlog', column_name: 'Action', data_type: 'VARCHAR' },
    ],
  });
  const engine = await open(fake);
  t.same(await engine.tables(), [
    { name: 'accounts', columns: [{ name: 'id', type: 'int', isText: false }, { name: 'name', type: 'nvarchar', isText: true }] },
    { name: 'eventlog', columns: [{ name: 'Action', type: 'varchar', isText: true }] },
  ]);
  t.match(fake.sent[0]?.text, /SCHEMA_NAME\(\)/);
  t.same(fake.sent[0]?.inputs.map((i) => i.value), ['BASE TABLE']);
});

t.test('the run marker is written and checked in T-SQL through the engine', async (t) => {
  const fake = new FakeMssql();
  const stored: Record<string, unknown>[] = [];
  fake.respond = (s) => {
    if (s.text.startsWith('INSERT')) stored.push({ run_id: s.inputs[0]?.value, created_at: s.inputs[1]?.value, source: s.inputs[2]?.value });
    if (s.text.includes('INFORMATION_SCHEMA')) return { recordset: stored.length > 0 ? [{ table_name: '_rehearsal_run', column_name: 'run_id', data_type: 'nvarchar' }] : [] };
    if (s.text.startsWith('SELECT [run_id]')) return { recordset: stored };
    return { rowsAffected: [1] };
  };
  const engine = await open(fake);
  await t.rejects(assertRunMarker(engine, 'run-1', 'sanitize'), /carries no rehearsal run marker/);
  await writeRunMarker(engine, { runId: 'run-1', createdAt: '2026-11-27T02:00:00Z', source: 'backup.bak' });
  await assertRunMarker(engine, 'run-1', 'sanitize');
  await t.rejects(assertRunMarker(engine, 'run-2', 'sanitize'), /belongs to rehearsal run run-1/);
  t.match(fake.sent.find((s) => s.text.startsWith('CREATE'))?.text, /^CREATE TABLE \[_rehearsal_run\] \(\[run_id\] NVARCHAR\(400\) NOT NULL/);
});

t.test('close closes the pool once; the transaction engine does not own it', async (t) => {
  const fake = new FakeMssql();
  const engine = await open(fake);
  await engine.transaction(async (tx) => tx.close());
  t.notOk(fake.events.includes('close'));
  await engine.close();
  t.equal(fake.events.filter((e) => e === 'close').length, 1);
});
