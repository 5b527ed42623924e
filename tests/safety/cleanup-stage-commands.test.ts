import t from 'tap';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { openRunFolder } from '../../src/run/run-folder.js';
import { destroyRun } from '../../src/stages/destroy.js';

const sample = makeSample(100, 17);
t.teardown(() => sample.cleanup());

t.test('a failed `rehearse sanitize` deletes the unsanitized copy; the next sanitize needs a new restore', async (t) => {
  const shipped = join(PROJECT_ROOT, 'sanitize/sample-platform.yaml');
  const rules = join(sample.dir, 'leaky-rules.yaml');
  const leaky = readFileSync(shipped, 'utf8').replace('      email: email\n      phone: phone\n', '      phone: phone\n');
  t.not(leaky, readFileSync(shipped, 'utf8'), 'the contacts.email rule was removed');
  writeFileSync(rules, leaky);
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(sample.dir, 'vendor'), { recursive: true });
  const plan = sample.plan('stage-leaky');
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(shipped, rules));

  const restored = rehearse(['--json', 'restore', plan]);
  t.equal(restored.status, 0, restored.stderr);
  const { runId } = JSON.parse(restored.stdout) as { runId: string };
  const copy = join(dirname(plan), 'reports', runId, 'work', 'rehearsal.db');
  t.ok(existsSync(copy), 'restore made the copy');

  const sanitized = rehearse(['--json', 'sanitize', plan]);
  t.equal(sanitized.status, 1, 'the sanitize proof failed');
  t.match(JSON.parse(sanitized.stdout), { stage: 'sanitize', status: 'failed', detail: /the unsanitized copy was deleted/ });
  t.notOk(existsSync(copy), 'the unsanitized copy is gone');

  const run = openRunFolder(join(dirname(plan), 'reports'), runId);
  t.notOk(run.state.completed?.restore, 'the restore is forgotten: the next sanitize needs a new restore');
  await destroyRun(run);
});
