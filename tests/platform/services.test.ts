import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { stopOtherServices } from '../../src/platform/services.js';
import { SafetyError } from '../../src/errors.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

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

t.test('each listed service is stopped and reported with its state', async (t) => {
  const dir = t.testdir({});
  const flag = join(dir, 'scheduler.running');
  writeFileSync(flag, '');
  const adapter = adapterWith(dir, `services:\n  - { name: scheduler, why: "starts jobs", stop: "rm -f ${flag}", state: "test -e ${flag}" }\n  - { name: notifier, why: "sends notices" }`);
  const result = await stopOtherServices(adapter, [], {});
  t.notOk(existsSync(flag), 'the stop command ran');
  t.equal(result?.status, 'passed');
  t.same(result?.evidence, [
    { service: 'scheduler', why: 'starts jobs', state: 'stopped' },
    { service: 'notifier', why: 'sends notices', state: 'no state command: assumed stopped' },
  ]);
});

t.test('a service still running after its stop command refuses the bill run and says which', async (t) => {
  const dir = t.testdir({});
  const adapter = adapterWith(dir, 'services:\n  - { name: provisioning-worker, why: "talks to switches", stop: "true", state: "true" }');
  const error = await stopOtherServices(adapter, [], {}).catch((e: unknown) => e);
  t.ok(error instanceof SafetyError, 'a safety refusal (exit 1)');
  t.match(String(error), 'Refusing to start the bill run: still running after their stop command: provisioning-worker');
  t.equal((error as { check?: { status: string } }).check?.status, 'failed', 'the report shows the service as failed');
});

t.test('an adapter without other services adds no check', async (t) => {
  t.equal(await stopOtherServices(adapterWith(t.testdir({}), 'services: []'), [], {}), undefined);
});
