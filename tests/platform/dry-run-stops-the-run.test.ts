import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeSample } from '../helpers/sample-fixture.js';
import { rehearseHere } from '../helpers/cli-in-process.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * A whole rehearsal whose adapter is wrong about the snapshot stops before anything is created
 * (DESIGN: every input is validated first): exit 2 at the adapter's file:line, no run folder, no
 * copy, no sandbox. Values read from the snapshot before it is sanitized are never quoted.
 */
const sample = makeSample(120, 4);
t.teardown(() => sample.cleanup());

function planWithAdapter(name: string, edit: (adapter: string) => string): { plan: string; text: string; reports: string } {
  const adapterDir = join(sample.dir, `${name}-adapter`);
  mkdirSync(adapterDir);
  const original = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8')
    .replace('module: ./driver.ts', `module: ${join(PROJECT_ROOT, 'platforms/sample/driver.ts')}`)
    .replace('program: ../../sample-platform/scripts/make-sample.ts', `program: ${join(PROJECT_ROOT, 'sample-platform/scripts/make-sample.ts')}`);
  const text = edit(original);
  t.not(text, original, `${name}: the fixture changed the adapter`);
  writeFileSync(join(adapterDir, 'adapter.yaml'), text);
  const plan = sample.plan(name);
  const reports = join(sample.dir, `${name}-reports`);
  writeFileSync(plan, readFileSync(plan, 'utf8').replace('kind: sample', `adapter: ${adapterDir}`).replace(`dir: ${join(sample.dir, 'reports')}`, `dir: ${reports}`));
  return { plan, text, reports };
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

function createdNothing(t: Test, reports: string): void {
  const runs = existsSync(reports) ? readdirSync(reports).filter((name) => /^\d{8}-/.test(name)) : [];
  t.same(runs, [], 'no run folder: no copy, no sandbox, no billing service');
}

t.test('a profile query naming a column the snapshot lacks stops the run before anything is created', async (t) => {
  const { plan, text, reports } = planWithAdapter('missing-column', (a) => a.replace('SELECT name AS role FROM roles', 'SELECT role_title AS role FROM roles'));
  const outcome = await rehearseHere(['all', plan]);
  t.equal(outcome.code, 2, outcome.stderr);
  t.match(outcome.stderr, `adapter.yaml:${lineOf(text, 'role_title')}:`);
  t.match(outcome.stderr, 'concept `roles` does not run on the snapshot');
  t.match(outcome.stderr, 'no such column: role_title');
  t.notMatch(outcome.stderr, /\n\s+at /, 'no stack trace');
  createdNothing(t, reports);
});

t.test("a contact key that is text, not a number, stops the run before anything is created, without quoting production's data", async (t) => {
  // Keyed by the address itself: the value the error must not print is a real (unsanitized) address.
  const { plan, text, reports } = planWithAdapter('text-key', (a) => a.replace('SELECT c.id AS contact_id', 'SELECT c.email AS contact_id'));
  const snapshot = new Database(sample.snapshot, { readonly: true });
  const first = snapshot.prepare('SELECT email FROM contacts ORDER BY id LIMIT 1').pluck().get() as string;
  snapshot.close();
  const outcome = await rehearseHere(['all', plan]);
  t.equal(outcome.code, 2, outcome.stderr);
  t.match(outcome.stderr, `adapter.yaml:${lineOf(text, 'c.email AS contact_id')}:`);
  t.match(outcome.stderr, "concept `contactEmails` returned a text of");
  t.match(outcome.stderr, 'that is not a number (the value is not shown: the snapshot is not sanitized yet) in column `contact_id`');
  t.notOk(outcome.stderr.includes(first), 'not the first contact\'s address');
  t.notMatch(outcome.stderr, /@/, 'nor any address');
  createdNothing(t, reports);
});
