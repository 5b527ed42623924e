import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, planWithOwnRules, rehearse } from '../helpers/sample-fixture.js';
import { interruptBillRun, privateRunEnv, reportsOf, stateOf } from '../helpers/interrupted-run.js';
import { eventually } from '../helpers/wait-for.js';
import { findRunToResume } from '../../src/pipeline/resume.js';
import { loadPlan } from '../../src/plan/load.js';

// Small: the kill does not depend on the bill run's length (the service is frozen first).
const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

t.test('kill -9 during the bill run, re-run: the same run resumes, restores again (the copy was partly billed) and says GO', async (t) => {
  const plan = planWithOwnRules(sample, 'resume-killed');
  const reports = reportsOf(plan);
  const env = privateRunEnv(t, () => [reports]);
  const { state: killed } = await interruptBillRun(plan, env);
  t.ok(killed.billRunStartedAt, 'the bill run had started');

  const again = rehearse(['--json', 'all', plan], env);
  t.equal(again.status, 0, again.stderr);
  const outcome = JSON.parse(again.stdout) as { runId: string; verdict: string; resumed?: string[] };
  t.equal(outcome.runId, killed.runId, 'the killed run was continued, not a new one');
  t.equal(outcome.verdict, 'GO');
  const notes = outcome.resumed?.join('\n') ?? '';
  t.match(notes, /did not finish, so the copy is partly billed: restoring again from the snapshot/, 'says why the copy is restored again');
  t.match(notes, /isolation proven again before the bill run/, 'says the sandbox is made and proven again');
  t.match(notes, new RegExp(`billing service \\(pid ${killed.servicePid}\\).*network namespace ${killed.namespace}`, 's'), 'the leftover billing service was stopped before its namespace was removed');

  const state = stateOf(reports, killed.runId);
  t.ok(state.reportedAt, 'the resumed run finished');
  t.ok((state.completed?.prove?.finishedAt ?? '') > (killed.billRunStartedAt ?? ''), 'isolation was proven again after the interruption');
  t.ok((state.completed?.sanitize?.finishedAt ?? '') > (killed.billRunStartedAt ?? ''), 'the new copy was sanitized again');
  t.notOk(existsSync(join(reports, killed.runId, 'work')), 'the copy is removed at the end');
  t.notOk((await listNamespaces()).includes(killed.namespace ?? ''), 'no namespace left');
  t.ok(await eventually(() => !isProcessAlive(killed.servicePid ?? 0)), 'the killed attempt’s billing service is gone');

  t.equal(findRunToResume(loadPlan(plan)), undefined, 'a finished run is never resumed: the next call starts a new run');
});
