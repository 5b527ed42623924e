import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, renameSync, writeFileSync, copyFileSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, rehearse, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { findRunToResume } from '../../src/pipeline/resume.js';
import { loadPlan } from '../../src/plan/load.js';

const sample = makeSample(400, 23);
t.teardown(() => sample.cleanup());

// The plan and rule set are part of what a resume checks, so each plan gets its own copy of the rules.
const rules = join(sample.dir, 'sanitize');
cpSync(join(PROJECT_ROOT, 'sanitize'), rules, { recursive: true });
function planFor(name: string): string {
  const plan = sample.plan(name);
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(join(PROJECT_ROOT, 'sanitize'), rules));
  return plan;
}

interface State {
  runId: string;
  namespace?: string;
  servicePid?: number;
  billRunStartedAt?: string;
  completed?: Record<string, { finishedAt: string }>;
  resumes?: { redo: string[] }[];
  reportedAt?: string;
}

function stateOf(reports: string, runId: string): State {
  return JSON.parse(readFileSync(join(reports, runId, 'state.json'), 'utf8')) as State;
}

/** Starts `rehearse all` and kills it with -9 once its billing service runs; returns the killed run's state. */
async function killDuringBillRun(plan: string): Promise<State> {
  const reports = join(dirname(plan), 'reports');
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, 'all', plan], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      try {
        const state = stateOf(reports, readlinkSync(join(reports, 'latest')));
        if (state.servicePid !== undefined) {
          // The service is frozen first: a small bill run on a busy machine could otherwise finish,
          // and be told to stop, between this read and the kill, leaving nothing to clean up.
          process.kill(state.servicePid, 'SIGSTOP');
          child.kill('SIGKILL');
          await exited;
          process.kill(state.servicePid, 'SIGCONT');
          return state;
        }
      } catch {
        // not started yet, or a read raced the atomic rename
      }
      await sleep(20);
    }
    throw new Error('the bill run never started');
  } finally {
    child.kill('SIGKILL');
  }
}

t.test('kill -9 during the bill run, re-run: the same run resumes, restores again (the copy was partly billed) and says GO', async (t) => {
  const plan = planFor('resume-killed');
  const reports = join(dirname(plan), 'reports');
  const killed = await killDuringBillRun(plan);
  t.ok(killed.billRunStartedAt, 'the bill run had started');

  const again = rehearse(['--json', 'all', plan]);
  t.equal(again.status, 0, again.stderr);
  const outcome = JSON.parse(again.stdout) as { runId: string; verdict: string; resumed?: string[] };
  t.equal(outcome.runId, killed.runId, 'the killed run was continued, not a new one');
  t.equal(outcome.verdict, 'GO');
  t.match(outcome.resumed?.join('\n') ?? '', /did not finish, so the copy is partly billed: restoring again from the snapshot/, 'says why the copy is restored again');
  t.match(outcome.resumed?.join('\n') ?? '', /isolation proven again before the bill run/, 'says the sandbox is made and proven again');
  // Any rehearsal on this machine sweeps sandboxes whose owner died, with the processes inside, so
  // with other test files running alongside the attempt's sandbox may be gone before the resume.
  // When the resume found it, it must have stopped the service before removing the namespace.
  const notes = outcome.resumed?.join('\n') ?? '';
  if (notes.includes(`network namespace ${killed.namespace}`)) {
    t.match(notes, new RegExp(`billing service \\(pid ${killed.servicePid}\\).*network namespace ${killed.namespace}`, 's'), 'the leftover billing service was stopped first');
  } else {
    t.comment("the killed run's sandbox and service were swept by another rehearsal before the resume");
  }

  const state = stateOf(reports, killed.runId);
  t.ok(state.reportedAt, 'the resumed run finished');
  t.ok((state.completed?.prove?.finishedAt ?? '') > (killed.billRunStartedAt ?? ''), 'isolation was proven again after the interruption');
  t.ok((state.completed?.sanitize?.finishedAt ?? '') > (killed.billRunStartedAt ?? ''), 'the new copy was sanitized again');
  t.notOk(existsSync(join(reports, killed.runId, 'work')), 'the copy is removed at the end');
  t.notOk((await listNamespaces()).includes(killed.namespace ?? ''), 'no namespace left');
  await sleep(200);
  t.notOk(isProcessAlive(killed.servicePid ?? 0), 'the killed attempt’s billing service is gone');

  t.equal(findRunToResume(loadPlan(plan)), undefined, 'a finished run is never resumed: the next call starts a new run');
});

t.test('kill -9 during the bill run, re-run with --fresh: a new run starts over and the killed one is removed', async (t) => {
  const plan = planFor('resume-fresh');
  const reports = join(dirname(plan), 'reports');
  const killed = await killDuringBillRun(plan);
  const fresh = rehearse(['--json', 'all', '--fresh', plan]);
  t.equal(fresh.status, 0, fresh.stderr);
  const outcome = JSON.parse(fresh.stdout) as { runId: string; resumed?: string[] };
  t.not(outcome.runId, killed.runId, 'a new run');
  t.equal(outcome.resumed, undefined, 'nothing resumed');
  t.ok((stateOf(reports, killed.runId) as { destroyedAt?: string }).destroyedAt, 'the killed run is marked removed');
  t.notOk(existsSync(join(reports, killed.runId, 'work')), 'the killed run’s copy is removed');
  t.notOk((await listNamespaces()).includes(killed.namespace ?? ''), 'the killed run’s namespace is removed');
});

t.test('a stage failing after the bill run keeps the billed copy; the re-run checks it and redoes only verify', async (t) => {
  const plan = planFor('resume-verify');
  const reports = join(dirname(plan), 'reports');
  // A production result that is not a database makes verify fail after the bill run.
  const aside = `${sample.productionResult}.aside`;
  renameSync(sample.productionResult, aside);
  writeFileSync(sample.productionResult, 'not a database');
  let failed;
  try {
    failed = rehearse(['--json', 'all', plan]);
  } finally {
    renameSync(aside, sample.productionResult);
  }
  t.not(failed.status, 0, 'the run failed');
  const failedOutcome = JSON.parse(failed.stdout) as { runId: string; keptForResume: boolean };
  t.equal(failedOutcome.keptForResume, true, 'the copy was kept for a resume');
  t.ok(existsSync(join(reports, failedOutcome.runId, 'work', 'rehearsal.db')), 'the billed copy is still there');
  t.notOk((await listNamespaces()).some((n) => n === stateOf(reports, failedOutcome.runId).namespace), 'but the sandbox is gone');
  const before = stateOf(reports, failedOutcome.runId);

  const resumed = rehearse(['--json', 'all', plan]);
  t.equal(resumed.status, 0, resumed.stderr);
  const outcome = JSON.parse(resumed.stdout) as { runId: string; verdict: string; resumed: string[]; stages: { name: string; status: string }[] };
  t.equal(outcome.runId, failedOutcome.runId);
  t.equal(outcome.verdict, 'GO');
  t.match(outcome.resumed.join('\n'), /kept after checking: isolate, restore, sanitize, prove, bill-run/);
  t.same(
    outcome.stages.map((s) => `${s.name}:${s.status}`),
    ['isolate:reused', 'restore:reused', 'sanitize:reused', 'prove:reused', 'bill-run:reused', 'verify:passed', 'destroy:passed'],
  );
  const after = stateOf(reports, failedOutcome.runId);
  t.equal(after.completed?.['bill-run']?.finishedAt, before.completed?.['bill-run']?.finishedAt, 'the bill run was not run twice');
  const report = JSON.parse(readFileSync(join(reports, failedOutcome.runId, 'report.json'), 'utf8')) as { checks: { id: string }[] };
  t.ok(report.checks.some((c) => c.id === 'isolation') && report.checks.some((c) => c.id === 'sanitize-proof'), 'the kept stages’ checks are in the report');
  t.ok(report.checks.some((c) => c.id === 'production-diff'), 'verify ran');
});

t.test('a billed copy that changed after the bill run is not trusted: everything from restore runs again', async (t) => {
  const plan = planFor('resume-tampered');
  const reports = join(dirname(plan), 'reports');
  const aside = `${sample.productionResult}.aside2`;
  copyFileSync(sample.productionResult, aside);
  writeFileSync(sample.productionResult, 'not a database');
  let failed;
  try {
    failed = rehearse(['--json', 'all', plan]);
  } finally {
    renameSync(aside, sample.productionResult);
  }
  const runId = (JSON.parse(failed.stdout) as { runId: string }).runId;
  const copy = join(reports, runId, 'work', 'rehearsal.db');
  writeFileSync(copy, Buffer.concat([readFileSync(copy), Buffer.from('x')]));
  const resumed = rehearse(['--json', 'all', plan]);
  t.equal(resumed.status, 0, resumed.stderr);
  const outcome = JSON.parse(resumed.stdout) as { runId: string; resumed: string[]; stages: { name: string; status: string }[] };
  t.equal(outcome.runId, runId);
  t.match(outcome.resumed.join('\n'), /the database copy changed after bill-run passed: restoring again/);
  t.notOk(outcome.stages.some((s) => s.status === 'reused'), 'nothing of the attempt was kept');
});
