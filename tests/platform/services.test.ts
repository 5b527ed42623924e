import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { OtherServices } from '../../src/platform/services.js';
import { SafetyError, UserError } from '../../src/errors.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { eventually } from '../helpers/wait-for.js';

/** The sample's adapter with a declared driver and the services under test. */
function adapterWith(dir: string, services: string): ReturnType<typeof loadAdapter> {
  const text = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8')
    .replace(/driver:\n {2}kind: module\n {2}module: \.\/driver\.ts\n/, 'driver:\n  kind: commands\n  begin: { run: "true" }\n  status: { run: "true" }\n')
    .replace(/generator: \{[^}]*\}\n/, '');
  // The services under test replace the sample's own (its portal and worker, which only probes start).
  const doc = parseDocument(text);
  doc.set('services', parseDocument(services).get('services'));
  writeFileSync(join(dir, 'adapter.yaml'), doc.toString());
  return loadAdapter(dir);
}

/** No service is started with these, so no log is written to `workDir`. */
const NO_SANDBOX = { prefix: [], env: {}, workDir: '/nonexistent' };

t.test('each listed service is stopped and reported with its state', async (t) => {
  const dir = t.testdir({});
  const flag = join(dir, 'scheduler.running');
  writeFileSync(flag, '');
  const adapter = adapterWith(dir, `services:\n  - { name: scheduler, why: "starts jobs", stop: "rm -f ${flag}", state: "test -e ${flag}" }\n  - { name: notifier, why: "sends notices" }`);
  const services = await OtherServices.prepare(adapter, [], NO_SANDBOX);
  t.notOk(existsSync(flag), 'the stop command ran');
  const result = await services?.stopEnabled();
  t.equal(result?.status, 'passed');
  t.same(result?.evidence, [
    { service: 'scheduler', why: 'starts jobs', state: 'stopped', reason: '—' },
    { service: 'notifier', why: 'sends notices', state: 'no state command: assumed stopped', reason: '—' },
  ]);
});

t.test('a service still running after its stop command refuses the bill run and says which', async (t) => {
  const dir = t.testdir({});
  const adapter = adapterWith(dir, 'services:\n  - { name: provisioning-worker, why: "talks to switches", stop: "true", state: "true" }');
  const error = await OtherServices.prepare(adapter, [], NO_SANDBOX).catch((e: unknown) => e);
  t.ok(error instanceof SafetyError, 'a safety refusal (exit 1)');
  t.match(String(error), 'Refusing to start the bill run: still running after their stop command: provisioning-worker');
  t.equal((error as { check?: { status: string } }).check?.status, 'failed', 'the report shows the service as failed');
});

t.test('an adapter without other services adds no check', async (t) => {
  t.equal(await OtherServices.prepare(adapterWith(t.testdir({}), 'services: []'), [], NO_SANDBOX), undefined);
});

t.test("the sample's job scheduler, enabled by the plan, really runs during the bill run and is stopped after", async (t) => {
  const work = t.testdir({});
  const adapter = loadAdapter(join(PROJECT_ROOT, 'platforms/sample'));
  const options = { prefix: [], env: { REHEARSAL_WORK_DIR: work, REHEARSAL_ADAPTER_DIR: adapter.dir }, workDir: work };
  const services = await OtherServices.prepare(adapter, [{ service: 'job-scheduler', reason: 'the release moves invoice e-mail into a scheduled job' }], options);
  t.teardown(() => services?.stopEnabled());
  const pid = Number(readFileSync(join(work, 'job-scheduler.pid'), 'utf8'));
  t.ok(await eventually(() => existsSync(join(work, 'job-scheduler.heartbeat'))), 'it ran its jobs (heartbeat written)');
  const result = await services?.stopEnabled();
  t.equal(result?.status, 'warning', 'an enabled service is shown for reading, not passed silently');
  t.same(result?.evidence?.[0], { service: 'job-scheduler', why: adapter.services[0]?.why, state: 'enabled by plan: ran during the bill run, stopped after', reason: 'the release moves invoice e-mail into a scheduled job' });
  t.same(result?.evidence?.slice(1).map((row) => [row.service, row.reason]), [['portal', '—'], ['provisioning-worker', '—']], 'the others stay stopped');
  t.match(result?.summary, '1 enabled by the plan for the bill run: job-scheduler');
  t.throws(() => process.kill(pid, 0), 'the scheduler process is gone');
});

t.test('kept stopped, the sample scheduler is reported stopped and never started', async (t) => {
  const work = t.testdir({});
  const adapter = loadAdapter(join(PROJECT_ROOT, 'platforms/sample'));
  const services = await OtherServices.prepare(adapter, [], { prefix: [], env: { REHEARSAL_WORK_DIR: work, REHEARSAL_ADAPTER_DIR: adapter.dir }, workDir: work });
  t.notOk(existsSync(join(work, 'job-scheduler.pid')), 'not started');
  const result = await services?.stopEnabled();
  t.equal(result?.status, 'passed');
  t.match(result?.summary, '3 service(s) kept stopped: job-scheduler, portal, provisioning-worker');
});

t.test('an enabled service that does not come up stops the run with a clear error', async (t) => {
  const dir = t.testdir({});
  const adapter = adapterWith(dir, 'services:\n  - { name: scheduler, why: "starts jobs", start: "true", stop: "true", state: "false" }');
  const error = await OtherServices.prepare(adapter, [{ service: 'scheduler', reason: 'needed for the scheduled e-mail' }], { ...NO_SANDBOX, workDir: dir }).catch((e: unknown) => e);
  t.ok(error instanceof UserError);
  t.match(String(error), 'The plan enables service scheduler, but its `start` command exited (code 0) instead of running in the foreground');
});
