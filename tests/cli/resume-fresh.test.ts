import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, planWithOwnRules, rehearse } from '../helpers/sample-fixture.js';
import { interruptBillRun, privateRunEnv, reportsOf, stateOf } from '../helpers/interrupted-run.js';
import { eventually } from '../helpers/wait-for.js';

const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

t.test('kill -9 during the bill run, re-run with --fresh: a new run starts over and the killed one is removed', async (t) => {
  const plan = planWithOwnRules(sample, 'resume-fresh');
  const reports = reportsOf(plan);
  const env = privateRunEnv(t, () => [reports]);
  const { state: killed } = await interruptBillRun(plan, env);
  const fresh = rehearse(['--json', 'all', '--fresh', plan], env);
  t.equal(fresh.status, 0, fresh.stderr);
  const outcome = JSON.parse(fresh.stdout) as { runId: string; verdict: string; resumed?: string[] };
  t.not(outcome.runId, killed.runId, 'a new run');
  t.equal(outcome.verdict, 'GO');
  t.equal(outcome.resumed, undefined, 'nothing resumed');
  t.ok(stateOf(reports, killed.runId).destroyedAt, 'the killed run is marked removed');
  t.notOk(existsSync(join(reports, killed.runId, 'work')), 'the killed run’s copy is removed');
  t.notOk((await listNamespaces()).includes(killed.namespace ?? ''), 'the killed run’s namespace is removed');
  t.ok(await eventually(() => !isProcessAlive(killed.servicePid ?? 0)), 'the killed run’s billing service is gone');
});
