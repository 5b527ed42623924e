import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { loadPlan } from '../../src/plan/load.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { prove } from '../../src/stages/prove.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';

t.test('prove sinkholes the servers that connection strings in the settings name', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-prove-conn-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const db = makeTinyDatabase();
  t.teardown(() => db.cleanup());
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  const engine = SqliteEngine.open(db.path);
  t.teardown(() => engine.close());
  engine.connection
    .prepare('INSERT INTO settings (key, value) VALUES (?, ?), (?, ?), (?, ?)')
    .run(
      'reporting.connection', 'Server=billing-db01.northwind-telecom.example,1433;Database=Billing;User Id=report;Encrypt=true',
      'warehouse.connection', 'Data Source=tcp:203.0.113.80,1433;Initial Catalog=Warehouse',
      'local.connection', 'Server=localhost;Database=Scratch',
    );

  const sandbox = await startSandbox({ runId: uniqueRunId('pconn'), runDir, catalogue: loadEgressCatalogue(), egress: sampleEgress, platformHosts: [] });
  t.teardown(() => sandbox.stop());
  const plan = { ...loadPlan(planDir.write('plan.yaml', validPlanText())), egress: sampleEgress };
  const ctx: RunContext = {
    plan,
    run: { runId: 'prove-conn', dir: runDir, workDir: runDir, state: { runId: 'prove-conn', planFile: 'p', createdAt: '', ownerPid: process.pid }, save() {} },
    progress: silentProgress,
    engine,
    sandbox,
    checks: [],
  };

  await prove(ctx);
  t.match(sandbox.hostMap.addresses['billing-db01.northwind-telecom.example'], /^127\.77\.\d+\.\d+$/, 'the server name in Server= resolves to a sinkhole');
  t.ok(sandbox.hostMap.localRanges.includes('203.0.113.80/32'), 'the address in Data Source= is made local, so it lands in the sinkholes');
  t.notOk(sandbox.hostMap.localRanges.some((r) => r.startsWith('127.0.0.1')), 'a local server is left alone');
  const outcome = (host: string): string | undefined => ctx.isolationProof?.results.find((r) => r.host === host && r.port === 443)?.outcome;
  t.equal(outcome('billing-db01.northwind-telecom.example'), 'sinkhole', 'a probe of the connection-string host lands in the sinkhole');
  t.equal(outcome('203.0.113.80'), 'sinkhole', 'so does a probe of the connection-string address');
  t.equal(ctx.checks.find((c) => c.id === 'isolation')?.status, 'passed');
  t.equal(ctx.run.state.isolationProven, true);
});
