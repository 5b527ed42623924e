import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSample } from '../helpers/sample-fixture.js';
import { rehearseHere } from '../helpers/cli-in-process.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * A whole rehearsal whose adapter names a column the restored copy lacks: the dry run after restore
 * stops it before the bill run, exit 2, naming the concept, the adapter's file:line and the column;
 * no billing service ran, and destroy left nothing (namespace, work folder).
 */
const sample = makeSample(120, 4);
t.teardown(() => sample.cleanup());

t.test('a profile query naming a missing column stops the run before the bill run', async (t) => {
  const adapterDir = join(sample.dir, 'broken-adapter');
  mkdirSync(adapterDir);
  const text = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8')
    .replace('module: ./driver.ts', `module: ${join(PROJECT_ROOT, 'platforms/sample/driver.ts')}`)
    .replace('program: ../../sample-platform/scripts/make-sample.ts', `program: ${join(PROJECT_ROOT, 'sample-platform/scripts/make-sample.ts')}`)
    .replace('SELECT name AS role FROM roles', 'SELECT role_title AS role FROM roles');
  writeFileSync(join(adapterDir, 'adapter.yaml'), text);
  const plan = sample.plan('broken');
  writeFileSync(plan, readFileSync(plan, 'utf8').replace('kind: sample', `adapter: ${adapterDir}`));

  const outcome = await rehearseHere(['all', plan]);
  t.equal(outcome.code, 2, outcome.stderr);
  const line = text.slice(0, text.indexOf('role_title')).split('\n').length;
  t.match(outcome.stderr, `adapter.yaml:${line}:`);
  t.match(outcome.stderr, 'concept `roles` does not run on the restored copy');
  t.match(outcome.stderr, 'no such column: role_title');
  const reports = join(sample.dir, 'reports');
  const [run] = readdirSync(reports).filter((name) => /^\d{8}-/.test(name));
  t.ok(run !== undefined, 'the run has its folder');
  t.notOk(existsSync(join(reports, run ?? '', 'work', 'billing-service.log')), 'no billing service was started');
  t.notOk(existsSync(join(reports, run ?? '', 'baseline.json')), 'the baseline was not taken');
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const state = JSON.parse(readFileSync(join(reports, run ?? '', 'state.json'), 'utf8')) as { namespace?: string };
  t.ok(state.namespace === undefined || !namespaces.includes(state.namespace), 'the sandbox was removed');
});
