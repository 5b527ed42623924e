import t from 'tap';
import mssql from 'mssql';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { silentProgress } from '../../src/ui/progress.js';
import { restoreOnSqlServer } from '../../src/stages/restore-sql-server.js';
import { dropSqlServerCopies } from '../../src/stages/drop-sql-server-copies.js';
import { platformDatabaseFor, sandboxDatabaseFor } from '../../src/billrun/platform-database.js';
import { vethFor } from '../../src/sandbox/veth.js';
import { SafetyError, UserError } from '../../src/errors.js';
import type { RunContext } from '../../src/pipeline/context.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { makePlanDir, mssqlPlanText } from '../helpers/plan-fixture.js';
import { FakeServer } from './fake-server.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { currentFingerprint, fingerprintCopy } from '../../src/run/copy-seal.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const ENV = { REHEARSAL_MSSQL_URL: 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password={p;w};TrustServerCertificate=true' };

function runOn(snapshot: string, runId: string): RunContext {
  const plan = loadPlan(dir.write(`${runId}.yaml`, mssqlPlanText(snapshot)));
  return { plan, run: createRunFolder(join(dir.dir, 'reports'), plan.file, runId), progress: silentProgress, checks: [] };
}

t.test('native restore: the copy is recorded before the restore, restored under a new name and marked for this run', async (t) => {
  const server = new FakeServer();
  const ctx = runOn('backupFile: /var/opt/mssql/backup/billing.bak', 'run-native-1');
  const detail = await restoreOnSqlServer(ctx, ENV, { createPool: server.createPool });
  await ctx.engine?.close();
  t.same(ctx.run.state.sqlServerCopies, [{ database: 'rehearsal_run_native_1', createdByRun: true }]);
  t.match(detail, /rehearsal_run_native_1 restored from \/var\/opt\/mssql\/backup\/billing\.bak .*source from the plan/);
  t.same(
    server.log.filter((l) => l.database === 'master').map((l) => l.text.split(' ').slice(0, 2).join(' ')),
    ['SELECT DB_ID(@p0)', 'RESTORE FILELISTONLY', 'SELECT CAST(SERVERPROPERTY(@p0)', 'RESTORE DATABASE'],
    'checks the name is free, then restores; never RESTORE ... REPLACE',
  );
  t.equal(server.databases.get('rehearsal_run_native_1')?.marker?.[0], 'run-native-1', 'the copy carries this run marker');

  const again = await restoreOnSqlServer(ctx, ENV, { createPool: server.createPool });
  await ctx.engine?.close();
  t.match(again, /rehearsal_run_native_1_r2 restored/, 'restoring again in the same run (a resume) never restores over the first copy');
  t.same(ctx.run.state.sqlServerCopies?.map((c) => c.database), ['rehearsal_run_native_1', 'rehearsal_run_native_1_r2']);

  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.equal(removed.length, 2);
  t.notOk(server.databases.has('rehearsal_run_native_1') || server.databases.has('rehearsal_run_native_1_r2'), 'destroy dropped both copies');
  t.same(ctx.run.state.sqlServerCopies, []);
  t.same(await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool }), [], 'destroy twice is harmless');
});

t.test('a database already under the run name is never restored over and never dropped', async (t) => {
  const server = new FakeServer({ rehearsal_run_clash: { markerRunId: 'someone-else' } });
  const ctx = runOn('backupFile: /b.bak', 'run-clash');
  await t.rejects(restoreOnSqlServer(ctx, ENV, { createPool: server.createPool }), SafetyError);
  t.notOk(server.log.some((l) => l.text.startsWith('RESTORE DATABASE')), 'no RESTORE was sent');
  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.match(removed.join('\n'), /NOT removed: database rehearsal_run_clash .*marker of run someone-else/);
  t.ok(server.databases.has('rehearsal_run_clash'), "the other run's database is still there");
  t.notOk(server.log.some((l) => l.text.startsWith('DROP')), 'no DROP was sent');
});

t.test('a half-restored copy without a marker is left in place and named', async (t) => {
  const server = new FakeServer({ rehearsal_run_half: {} });
  const ctx = runOn('backupFile: /b.bak', 'run-half');
  ctx.run.state.sqlServerCopies = [{ database: 'rehearsal_run_half', createdByRun: true }];
  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.match(removed.join('\n'), /NOT removed: database rehearsal_run_half .*carries no run marker/);
  t.ok(server.databases.has('rehearsal_run_half'));
  t.same(ctx.run.state.sqlServerCopies, [{ database: 'rehearsal_run_half', createdByRun: true }], 'kept in the state so a later down tries again');
});

t.test('the Pulumi host step source wins: attach the snapshot database, mark it, never attach twice or drop it', async (t) => {
  const server = new FakeServer({ EngageIP: {} });
  const ctx = runOn('backupFile: /b.bak', 'run-attach');
  const env = { ...ENV, REHEARSAL_RESTORE_SOURCE: 'rds-snapshot', REHEARSAL_DATABASE_NAME: 'EngageIP', REHEARSAL_SNAPSHOT_ID: 'billing-prod-pre-bill-run' };
  const detail = await restoreOnSqlServer(ctx, env, { createPool: server.createPool });
  await ctx.engine?.close();
  t.match(detail, /attached EngageIP .*from the Pulumi host step/);
  t.same(server.databases.get('EngageIP')?.marker?.slice(0, 1), ['run-attach']);
  t.notOk(server.log.some((l) => l.text.startsWith('RESTORE')), 'nothing restored: Pulumi did that');
  await t.rejects(restoreOnSqlServer(ctx, env, { createPool: server.createPool }), { name: 'SafetyError', message: /Refusing to attach EngageIP again/ });
  t.match((await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool })).join('\n'), /left to its Pulumi stack/);
  t.ok(server.databases.has('EngageIP'));

  for (const [bad, message] of [
    [{ REHEARSAL_RESTORE_SOURCE: 'native-backup' }, /REHEARSAL_BAK_S3_ARN is not set/],
    [{ REHEARSAL_RESTORE_SOURCE: "x'; DROP DATABASE master;--" }, /expected native-backup or rds-snapshot/],
  ] as const) {
    await t.rejects(restoreOnSqlServer(runOn('backupFile: /b.bak', `run-bad-${bad.REHEARSAL_RESTORE_SOURCE.length}`), { ...ENV, ...bad }, { createPool: server.createPool }), UserError, message.source);
  }
});

t.test('the server guard stops the restore before any connection when the string names another server', async (t) => {
  const server = new FakeServer();
  const ctx = runOn('backupFile: /b.bak', 'run-guard');
  const env = { REHEARSAL_MSSQL_URL: 'Server=billing-prod.example,1433;User Id=sa;Password=x' };
  await t.rejects(restoreOnSqlServer(ctx, env, { createPool: server.createPool }), { name: 'SafetyError', message: /names sql\.rehearsal\.example as the rehearsal target/ });
  t.same(server.connectedTo, [], 'no connection was opened');
  t.same(ctx.run.state.sqlServerCopies ?? [], [], 'nothing recorded');
});

t.test("the platform's connection: this run's copy, through the sandbox link, with hostile names kept inside the value", async (t) => {
  const ctx = runOn('backupFile: /b.bak', 'run-platform');
  const parse = (s: string) => mssql.ConnectionPool.parseConnectionString(s);
  const link = vethFor('rehearsal-run-platform');
  const sandboxAt = (address: string) => ({ database: { address, port: 1433, link } }) as unknown as Sandbox;

  ctx.run.state.sqlServerCopies = [{ database: 'rehearsal_run_platform', createdByRun: true }];
  const remote = platformDatabaseFor(ctx.plan, ctx.run.state, sandboxAt('198.51.100.7'), ENV);
  t.equal(remote.kind, 'mssql');
  const parsedRemote = parse(remote.kind === 'mssql' ? remote.connectionString : '');
  t.same([parsedRemote.server, parsedRemote.port, parsedRemote.database, parsedRemote.password], ['sql.rehearsal.example', 1433, 'rehearsal_run_platform', 'p;w']);

  const local = platformDatabaseFor(ctx.plan, ctx.run.state, sandboxAt(link.hostAddress), ENV);
  t.equal(parse(local.kind === 'mssql' ? local.connectionString : '').server, link.hostAddress, 'a server on this host is reached at the link host end');

  ctx.run.state.sqlServerCopies = [{ database: 'Engage};Server=evil.example;x={', createdByRun: false }];
  const hostile = platformDatabaseFor(ctx.plan, ctx.run.state, sandboxAt('198.51.100.7'), ENV);
  const parsedHostile = parse(hostile.kind === 'mssql' ? hostile.connectionString : '');
  t.same([parsedHostile.server, parsedHostile.database], ['sql.rehearsal.example', 'Engage};Server=evil.example;x={'], 'braces keep the name one value');
});

t.test('a SQL Server copy is trusted again only while it carries the seal its last stage wrote', async (t) => {
  const ctx = runOn('backupFile: /b.bak', 'run-seal');
  // The seal logic is engine-neutral SQL; a SQLite file stands in for the SQL Server copy here.
  new Database(join(dir.dir, 'seal.db')).close();
  const engine = SqliteEngine.open(join(dir.dir, 'seal.db'));
  t.teardown(() => engine.close());
  t.equal(await currentFingerprint(ctx.plan, ctx.run.state, engine), undefined, 'an unsealed copy has no fingerprint');
  const first = await fingerprintCopy(ctx.plan, ctx.run.state, engine);
  t.match(first, /^seal:[0-9a-f]{32}$/);
  t.equal(await currentFingerprint(ctx.plan, ctx.run.state, engine), first);
  const second = await fingerprintCopy(ctx.plan, ctx.run.state, engine);
  t.not(second, first, 'each passing stage seals anew');
  t.equal(await currentFingerprint(ctx.plan, ctx.run.state, engine), second, 'so the seal of an earlier stage no longer matches');
});

t.test('the sandbox link goes to the server the connection string names', async (t) => {
  const plan = loadPlan(dir.write('link.yaml', mssqlPlanText('backupFile: /b.bak').replace('server: sql.rehearsal.example', 'server: 198.51.100.7')));
  t.same(await sandboxDatabaseFor(plan, { REHEARSAL_MSSQL_URL: 'Server=198.51.100.7,14330;User Id=a;Password=b' }), { port: 14330, address: '198.51.100.7' });
  const local = loadPlan(dir.write('link-local.yaml', mssqlPlanText('backupFile: /b.bak').replace('server: sql.rehearsal.example', 'server: localhost')));
  t.same(await sandboxDatabaseFor(local, { REHEARSAL_MSSQL_URL: 'Server=localhost;User Id=a;Password=b' }), { port: 1433, host: 'localhost' }, 'a server on this host is reached at the link host end');
});
