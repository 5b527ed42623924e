import t from 'tap';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { silentProgress } from '../../src/ui/progress.js';
import { restoreOnSqlServer } from '../../src/stages/restore-sql-server.js';
import { dropSqlServerCopies } from '../../src/stages/drop-sql-server-copies.js';
import type { CreatePool } from '../../src/engine/mssql/driver.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, mssqlPlanText } from '../helpers/plan-fixture.js';
import { FakeMssql } from '../mssql/fake-mssql.js';
import { FakeServer } from '../mssql/fake-server.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const ENV = { REHEARSAL_MSSQL_URL: 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password=x;TrustServerCertificate=true' };

/** A server that refuses every connection. */
const refusing: CreatePool = (config) => {
  const fake = new FakeMssql();
  fake.connectError = Object.assign(new Error('connect ECONNREFUSED 192.0.2.10:1433'), { code: 'ESOCKET' });
  return fake.createPool(config);
};

function runOn(runId: string): RunContext {
  const plan = loadPlan(dir.write(`${runId}.yaml`, mssqlPlanText('backupFile: /var/opt/mssql/backup/billing.bak')));
  return { plan, run: createRunFolder(join(dir.dir, 'reports'), plan.file, runId), progress: silentProgress, checks: [] };
}

t.test('a restore that never reached the server leaves no database for `down` to name as NOT removed', async (t) => {
  const ctx = runOn('run-refused');
  await t.rejects(restoreOnSqlServer(ctx, ENV, { createPool: refusing }));
  t.same(ctx.run.state.sqlServerCopies ?? [], [], 'no copy is recorded');
  t.same(await dropSqlServerCopies(ctx.run, ENV, { createPool: refusing }), [], '`down` names no database');
});

t.test('a restore the server answered is still recorded before RESTORE, so a crash half-way leaves it findable', async (t) => {
  const server = new FakeServer();
  const ctx = runOn('run-answered');
  await restoreOnSqlServer(ctx, ENV, { createPool: server.createPool });
  await ctx.engine?.close();
  t.same(ctx.run.state.sqlServerCopies, [{ database: 'rehearsal_run_answered', createdByRun: true }]);
  t.match((await dropSqlServerCopies(ctx.run, ENV, { createPool: refusing })).join('\n'), /NOT removed: rehearsal_run_answered/, 'an existing copy the server cannot be asked about is still named');
});
