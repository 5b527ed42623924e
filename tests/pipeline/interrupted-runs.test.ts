import t from 'tap';
import { existsSync, mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import { interruptBillRun, privateRunEnv, reportsOf } from '../helpers/interrupted-run.js';
import { eventually } from '../helpers/wait-for.js';

// Small: the interruption does not depend on the bill run's length (the service is frozen first).
const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

const gone = (pid: number | undefined): Promise<boolean> => eventually(() => !isProcessAlive(pid ?? 0));

t.test('kill -9 during the bill run leaves a sandbox that `down` removes completely', async (t) => {
  const own = sample.copy('killed');
  const plan = own.plan('killed');
  const reports = reportsOf(plan);
  const env = privateRunEnv(t, () => [reports]);
  const { state } = await interruptBillRun(plan, env);
  t.ok((await listNamespaces()).includes(state.namespace ?? ''), 'the killed run left its namespace');
  t.ok(isProcessAlive(state.servicePid ?? 0), 'and its billing service');

  const down = rehearse(['--json', 'down', '--reports', reports, state.runId], env);
  t.equal(down.status, 0, down.stderr);
  const removed = (JSON.parse(down.stdout) as { removed: string[] }).removed.join('\n');
  t.match(removed, `billing service (pid ${state.servicePid})`, 'down names the billing service it stopped');
  t.match(removed, `network namespace ${state.namespace}`, 'and the namespace it removed');
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace removed');
  t.ok(await gone(state.servicePid), 'billing service gone');
  t.notOk(existsSync(join(reports, state.runId, 'work')), 'database copy removed');
  const twice = rehearse(['down', '--reports', reports, state.runId], env);
  t.equal(twice.status, 0, 'down can run twice');
});

t.test('a killed run is swept by the next run in the same reports folder', async (t) => {
  const own = sample.copy('swept');
  const killedPlan = own.plan('killed');
  const reports = reportsOf(killedPlan);
  const env = privateRunEnv(t, () => [reports]);
  const { state } = await interruptBillRun(killedPlan, env);
  t.ok(existsSync(join(reports, state.runId, 'work')), 'the killed run left its database copy');

  // Another plan: the same plan would resume the killed run instead of sweeping it.
  const next = rehearse(['all', own.plan('next')], env);
  t.equal(next.status, 0, next.stderr);
  t.match(next.stderr, `removed leftovers of a killed run: ${state.runId}`, 'the next run says what it swept');
  t.notOk(existsSync(join(reports, state.runId, 'work')), 'database copy of the killed run removed');
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace of the killed run removed');
  t.ok(await gone(state.servicePid), 'billing service of the killed run gone');
});

t.test('SIGTERM during the bill run runs the same cleanup', async (t) => {
  const own = sample.copy('terminated');
  const plan = own.plan('terminated');
  const reports = reportsOf(plan);
  const env = privateRunEnv(t, () => [reports]);
  const { state, exitCode } = await interruptBillRun(plan, env, 'SIGTERM');
  t.equal(exitCode, 143);
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace removed');
  t.notOk(existsSync(join(reports, state.runId, 'work')), 'database copy removed');
  t.ok(await gone(state.servicePid), 'billing service gone');
});

t.test('without a way to isolate, the bill run is refused, never run unisolated', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'rehearsal-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(process.execPath, join(bin, 'node'));
  const env = { ...process.env, PATH: bin };
  const run = rehearse(['all', sample.plan('no-ip')], env);
  t.equal(run.status, 2);
  t.match(run.stderr, /Cannot isolate the bill run/);
  t.match(run.stdout, /Verdict: NO-GO/);
  t.notMatch(run.stderr, /▶ bill-run/, 'the bill run never started');
});
