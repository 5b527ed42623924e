import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { makeSample, NODE_TS, planWithOwnRules, REHEARSE, rehearse } from '../helpers/sample-fixture.js';
import { latestState, reportsOf, stateOf } from '../helpers/interrupted-run.js';
import { waitFor } from '../helpers/wait-for.js';

const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

const plan = planWithOwnRules(sample, 'resume-after-failure');
const reports = reportsOf(plan);

/**
 * Runs `rehearse all` so that verify fails after the bill run passed: once the bill run runs, the
 * run is frozen for a moment and production's ledger is replaced by a folder (and put back when
 * the run has ended). Verify, which reads it, has not started then. Production's result itself
 * cannot be the trigger: every write stage checks that the sources did not change.
 */
async function failAtVerify(): Promise<{ status: number | null; outcome: { runId: string; keptForResume: boolean } }> {
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, '--json', 'all', plan], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const ledger = join(sample.dir, 'sample', 'production-ledger.jsonl');
  const aside = `${ledger}.aside`;
  try {
    await waitFor('the bill run to start', () => (latestState(reports)?.servicePid !== undefined ? true : undefined), {
      timeoutMs: 100_000,
      giveUp: () => (child.exitCode !== null ? `the run exited with ${child.exitCode} first:\n${stderr}` : undefined),
    });
    child.kill('SIGSTOP');
    try {
      if (latestState(reports)?.completed?.['bill-run'] !== undefined) throw new Error('the bill run had already finished: verify may have read production’s ledger');
      renameSync(ledger, aside);
      mkdirSync(ledger);
    } finally {
      child.kill('SIGCONT');
    }
    const status = await exited;
    return { status, outcome: JSON.parse(stdout) as { runId: string; keptForResume: boolean } };
  } finally {
    child.kill('SIGKILL');
    if (existsSync(aside)) {
      rmSync(ledger, { recursive: true, force: true });
      renameSync(aside, ledger);
    }
  }
}

const failed = await failAtVerify();
// Both tests below start from this failed run: the second one puts the run folder back as the failure left it.
const runId = failed.outcome.runId;
const asFailed = join(sample.dir, 'failed-run');
cpSync(join(reports, runId), asFailed, { recursive: true });
t.teardown(() => {
  if (existsSync(join(reports, runId, 'state.json')) && stateOf(reports, runId).destroyedAt === undefined) rehearse(['down', '--reports', reports, runId]);
});

t.test('a stage failing after the bill run keeps the billed copy; the re-run checks it and redoes only verify', async (t) => {
  t.not(failed.status, 0, 'the run failed');
  t.equal(failed.outcome.keptForResume, true, 'the copy was kept for a resume');
  t.ok(existsSync(join(reports, runId, 'work', 'rehearsal.db')), 'the billed copy is still there');
  t.notOk((await listNamespaces()).some((n) => n === stateOf(reports, runId).namespace), 'but the sandbox is gone');
  const before = stateOf(reports, runId);

  const resumed = rehearse(['--json', 'all', plan]);
  t.equal(resumed.status, 0, resumed.stderr);
  const outcome = JSON.parse(resumed.stdout) as { runId: string; verdict: string; resumed: string[]; stages: { name: string; status: string }[] };
  t.equal(outcome.runId, runId);
  t.equal(outcome.verdict, 'GO');
  t.match(outcome.resumed.join('\n'), /kept after checking: isolate, restore, sanitize, prove, bill-run/);
  t.same(
    outcome.stages.map((s) => `${s.name}:${s.status}`),
    ['isolate:reused', 'restore:reused', 'sanitize:reused', 'prove:reused', 'bill-run:reused', 'verify:passed', 'destroy:passed'],
  );
  const after = stateOf(reports, runId);
  t.equal(after.completed?.['bill-run']?.finishedAt, before.completed?.['bill-run']?.finishedAt, 'the bill run was not run twice');
  const report = JSON.parse(readFileSync(join(reports, runId, 'report.json'), 'utf8')) as { checks: { id: string }[] };
  t.ok(report.checks.some((c) => c.id === 'isolation') && report.checks.some((c) => c.id === 'sanitize-proof'), 'the kept stages’ checks are in the report');
  t.ok(report.checks.some((c) => c.id === 'production-diff'), 'verify ran');
});

t.test('a billed copy that changed after the bill run is not trusted: everything from restore runs again', async (t) => {
  rmSync(join(reports, runId), { recursive: true, force: true });
  cpSync(asFailed, join(reports, runId), { recursive: true });
  t.equal(stateOf(reports, runId).reportedAt, undefined, 'the run is as the failure left it');
  const copy = join(reports, runId, 'work', 'rehearsal.db');
  writeFileSync(copy, Buffer.concat([readFileSync(copy), Buffer.from('x')]));
  const resumed = rehearse(['--json', 'all', plan]);
  t.equal(resumed.status, 0, resumed.stderr);
  const outcome = JSON.parse(resumed.stdout) as { runId: string; verdict: string; resumed: string[]; stages: { name: string; status: string }[] };
  t.equal(outcome.runId, runId);
  t.equal(outcome.verdict, 'GO');
  t.match(outcome.resumed.join('\n'), /the database copy changed after bill-run passed: restoring again/);
  t.notOk(outcome.stages.some((s) => s.status === 'reused'), 'nothing of the attempt was kept');
});
