import t from 'tap';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

const sample = makeSample(200, 7);
t.teardown(() => sample.cleanup());

/** The shipped rule set without the rule for contacts.email: the sanitize proof finds the real e-mails. */
function leakyRules(): string {
  const rules = readFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), 'utf8');
  const leaky = rules.replace('      email: email\n      phone: phone\n', '      phone: phone\n');
  if (leaky === rules) throw new Error('the contacts.email rule was not found in the shipped rule set');
  const file = join(sample.dir, 'leaky-rules.yaml');
  writeFileSync(file, leaky);
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(sample.dir, 'vendor'), { recursive: true });
  return file;
}

function planWithRules(name: string, rules: string): string {
  const plan = sample.plan(name);
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), rules));
  return plan;
}

interface Outcome {
  runId: string;
  verdict: string;
  keptForResume: boolean;
  unsanitizedCopyDeleted: boolean;
  stages: { name: string; status: string; detail?: string }[];
  resumed?: string[];
}

const plan = planWithRules('leaky', leakyRules());
const reports = join(dirname(plan), 'reports');
let failedRunId = '';

t.test('a run whose sanitize proof fails deletes its copy at once, and the report and the terminal say so', async (t) => {
  const failed = rehearse(['--json', 'all', plan]);
  t.equal(failed.status, 1, failed.stderr);
  const outcome = JSON.parse(failed.stdout) as Outcome;
  failedRunId = outcome.runId;
  t.equal(outcome.stages.find((s) => s.name === 'sanitize')?.status, 'failed', 'the sanitize proof failed');
  t.notOk(existsSync(join(reports, outcome.runId, 'work', 'rehearsal.db')), 'the unsanitized copy is not on disk');
  t.notOk(outcome.keptForResume, 'no copy is kept');
  t.ok(outcome.unsanitizedCopyDeleted, 'the outcome says the copy was deleted');
  const state = JSON.parse(readFileSync(join(reports, outcome.runId, 'state.json'), 'utf8')) as { databasePath?: string };
  t.equal(state.databasePath, undefined, 'the state names no copy');
  const report = JSON.parse(readFileSync(join(reports, outcome.runId, 'report.json'), 'utf8')) as { stages: { name: string; detail?: string }[] };
  t.match(report.stages.find((s) => s.name === 'destroy')?.detail, /the unsanitized copy was deleted/, 'the report says so');
  t.notMatch(failed.stdout + failed.stderr, /database copy is kept|copy kept to resume/, 'nothing claims a copy is kept');

  const human = rehearse(['all', plan]);
  t.equal(human.status, 1);
  t.match(human.stdout, /The unsanitized copy was deleted/, 'the terminal says so');
  t.match(human.stderr, /restoring again/, 'the resume restores again');
  t.notOk(existsSync(join(reports, outcome.runId, 'work', 'rehearsal.db')), 'and deletes the copy again when the proof fails again');
});

t.test('`down` then `all`: the removed run is never resumed and its report is kept', async (t) => {
  const failed = { runId: failedRunId };
  const reportFile = join(reports, failed.runId, 'report.json');
  const reportBefore = readFileSync(reportFile, 'utf8');

  const down = rehearse(['down', '--reports', reports, failed.runId]);
  t.equal(down.status, 0, down.stderr);
  t.match(down.stdout, new RegExp(`Removed .*work folder .* of run ${failed.runId}`), 'down says what it removed');
  t.notOk(existsSync(join(reports, failed.runId, 'work')), 'work/ is gone');

  const twice = rehearse(['down', '--reports', reports, failed.runId]);
  t.equal(twice.status, 0, twice.stderr);
  t.match(twice.stdout, /nothing left to remove/, 'down twice is fine');

  const next = rehearse(['--json', 'all', plan]);
  const outcome = JSON.parse(next.stdout) as Outcome;
  t.not(outcome.runId, failed.runId, 'a new run started');
  t.equal(outcome.resumed, undefined, 'nothing was resumed');
  t.equal(readFileSync(reportFile, 'utf8'), reportBefore, "the removed run's report was not overwritten");
});
