import { mkdirSync, rmSync } from 'node:fs';
import type { Plan } from '../plan/types.js';
import { createRunFolder, listRunFolders, markLatest, openRunFolder, type RunFolder } from '../run/run-folder.js';
import { isProcessAlive } from '../run/process-alive.js';
import { deleteDatabaseCopy, destroyRun, type CleanupWarning } from '../stages/destroy.js';
import { SafetyError, UserError } from '../errors.js';
import { preflight } from '../preflight/preflight.js';
import type { StageRecord } from '../report/model.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import type { RunContext } from './context.js';
import { inputsSha256, loadTrusted, planResume } from './resume.js';
import { STAGE_NAMES, STAGES, type StageName } from './stages.js';
import { runStage, type StageResult } from './stage-runner.js';
import { attachSandbox, keepSandbox, readKeeperRecord, keeperAlive, startKeeper, stopKeeper, type KeeperRecord } from './sandbox-keeper.js';
import { writeRunReport } from './run-rehearsal.js';
import { ensureSample } from '../samples/ensure-sample.js';

/**
 * One stage per command, for pipelines that drive the stages themselves (`pulumi up -s local`,
 * CI steps): `up` starts a sandbox keeper, each later command works on the same run and checks,
 * before it runs, that what it builds on is still what the earlier command left.
 */
export type SingleStage = Exclude<StageName, 'isolate'>;

/**
 * The newest run of this plan that was not removed and (unless `finished` is allowed) has no
 * report yet, or the one named.
 */
export function currentRun(plan: Plan, runRef?: string, options: { finished?: boolean } = {}): RunFolder | undefined {
  if (runRef !== undefined) {
    const run = openRunFolder(plan.report.dir, runRef);
    if (run.state.planFile !== plan.file) throw new UserError(`Run ${run.runId} rehearses ${run.state.planFile}, not ${plan.file}. Pass that plan, or leave out --run.`);
    return run;
  }
  const newest = listRunFolders(plan.report.dir).find((r) => r.state.planFile === plan.file);
  if (newest === undefined || newest.state.destroyedAt !== undefined) return undefined;
  return newest.state.reportedAt === undefined || options.finished === true ? newest : undefined;
}

function requireRun(plan: Plan, runRef: string | undefined, command: string): RunFolder {
  const run = currentRun(plan, runRef);
  if (run === undefined) throw new UserError(`No run of ${plan.file} is in progress, so there is nothing to ${command}. Start one with \`rehearse up ${plan.file}\` (or run everything with \`rehearse all ${plan.file}\`).`);
  if (run.state.reportedAt !== undefined) throw new UserError(`Run ${run.runId} is finished (report written ${run.state.reportedAt}). Start a new one with \`rehearse up --fresh ${plan.file}\`.`);
  return run;
}

export interface UpOptions {
  readonly fresh?: boolean;
  readonly runId?: string;
  /** Hold the sandbox in this process until it is stopped (for a service manager such as systemd). */
  readonly foreground?: boolean;
}

/** `rehearse up`: the run's sandbox, held by a keeper process until `rehearse down`. */
export async function up(plan: Plan, options: UpOptions, progress: Progress): Promise<{ run: RunFolder; keeper: KeeperRecord; reused: boolean }> {
  await preflight(plan, { askSqlServer: 'when-configured' });
  let run = options.fresh === true ? undefined : currentRun(plan, options.runId);
  if (options.fresh === true) {
    const old = currentRun(plan, options.runId);
    if (old !== undefined) {
      const removed = [...(await stopKeeper(old)), ...(await destroyRun(old))];
      progress.info(`--fresh: run ${old.runId} removed${removed.length > 0 ? ` (${removed.join(', ')})` : ''}`);
    }
  }
  const running = run !== undefined ? readKeeperRecord(run) : undefined;
  if (run !== undefined && running !== undefined && keeperAlive(running)) return { run, keeper: running, reused: true };
  run ??= createRunFolder(plan.report.dir, plan.file, undefined, inputsSha256(plan));
  markLatest(run);
  // A new sandbox: any proof made in an earlier one says nothing about it.
  const completed = run.state.completed ?? {};
  delete completed.isolate;
  delete completed.prove;
  run.state.completed = completed;
  run.state.isolationProven = false;
  run.save();

  progress.stage('isolate');
  const started = performance.now();
  const publish = (record: KeeperRecord, owner: number): void => {
    const fresh = openRunFolder(plan.report.dir, run.dir);
    fresh.state.ownerPid = owner;
    (fresh.state.completed ??= {}).isolate = {
      durationMs: performance.now() - started,
      detail: `sandbox ${record.namespace}, ${Object.keys(record.hostMap.addresses).length} hosts sinkholed, held by pid ${record.pid}`,
      finishedAt: new Date().toISOString(),
      checks: [],
    };
    fresh.save();
    progress.stageDone('isolate', 'passed', performance.now() - started, fresh.state.completed.isolate?.detail);
  };
  if (options.foreground === true) {
    let record: KeeperRecord | undefined;
    await keepSandbox(plan, run, (r) => {
      record = r;
      publish(r, process.pid);
      progress.info(`holding the sandbox until SIGTERM or \`rehearse down ${run.runId}\``);
    });
    if (record === undefined) throw new Error('the sandbox stopped before it was up');
    return { run, keeper: record, reused: false };
  }
  try {
    const keeper = await startKeeper(plan, run);
    publish(keeper, keeper.pid);
    return { run: openRunFolder(plan.report.dir, run.dir), keeper, reused: false };
  } catch (error) {
    progress.stageDone('isolate', 'failed', performance.now() - started);
    throw error;
  }
}

/** What each single stage needs the run's database copy to have passed last, and whether it needs the sandbox. */
const NEEDS: Readonly<Record<SingleStage, { copyAfter?: StageName; sandbox: boolean; how: string }>> = {
  restore: { sandbox: false, how: '' },
  sanitize: { copyAfter: 'restore', sandbox: false, how: 'rehearse restore' },
  prove: { copyAfter: 'sanitize', sandbox: true, how: 'rehearse restore, then rehearse sanitize' },
  'bill-run': { copyAfter: 'sanitize', sandbox: true, how: 'rehearse restore, rehearse sanitize, then rehearse prove' },
  verify: { copyAfter: 'bill-run', sandbox: false, how: 'rehearse bill-run' },
};

/**
 * Runs one stage of the current run in this process. It refuses unless the database copy is
 * exactly what the stage before left (run marker and fingerprint) and, for prove and the bill run,
 * the keeper's sandbox is alive; the bill run also needs a proof made in that same sandbox.
 */
export async function runSingleStage(given: Plan, name: SingleStage, options: { runId?: string }, progress: Progress): Promise<{ run: RunFolder; result: StageResult }> {
  // With a snapshot catalogue, the plan from here on restores the backup picked from it.
  const { plan } = await preflight(given, { askSqlServer: 'always' });
  const existing = name === 'restore' ? currentRun(plan, options.runId) : requireRun(plan, options.runId, name);
  const run = existing ?? createRunFolder(plan.report.dir, plan.file, undefined, inputsSha256(plan));
  if (!isProcessAlive(run.state.ownerPid)) run.state.ownerPid = process.pid;
  const ctx: RunContext = { plan, run, progress, checks: [] };
  const need = NEEDS[name];
  const { reuse, redo } = await planResume(run, plan);
  const completed = run.state.completed ?? {};

  if (name === 'restore') {
    // As in `all`: a sample plan's snapshot is generated when it is missing.
    await ensureSample(plan, progress);
    rmSync(run.workDir, { recursive: true, force: true });
    for (const later of STAGE_NAMES.slice(STAGE_NAMES.indexOf('restore'))) delete completed[later];
    Object.assign(run.state, { inputsSha256: inputsSha256(plan), completed, databasePath: undefined, sanitizeProofPassed: false, isolationProven: false, billRunStartedAt: undefined, controlStartedAt: undefined });
    run.save();
    mkdirSync(run.workDir, { recursive: true });
  } else {
    const after = need.copyAfter!;
    const last = (['bill-run', 'sanitize', 'restore'] as const).find((s) => reuse.has(s));
    if (last !== after) {
      const why = redo.find((r) => !r.startsWith('kept') && !r.startsWith('the sandbox')) ?? `the copy's last stage is ${last ?? 'none'}`;
      throw new SafetyError(`Refusing to ${name}: it needs the database copy exactly as ${after} left it, and ${why}. Run ${need.how} first.`, 1);
    }
    await loadTrusted(ctx, reuse, { openCopy: true });
  }
  // Checklist probes run at the end of verify, in the sandbox that proved isolation for this run's bill run.
  const probesNeedSandbox = name === 'verify' && plan.checklist.some((item) => item.probes.length > 0);
  if (need.sandbox || probesNeedSandbox) {
    const sandbox = await attachSandbox(run, plan);
    // Without a proof made in this sandbox the probes get none, and report that they did not run.
    const provenHere = completed.prove !== undefined && completed.prove.finishedAt >= sandbox.startedAt;
    if (need.sandbox || provenHere) ctx.sandbox = sandbox;
    if (name === 'bill-run') {
      const proof = completed.prove;
      if (proof === undefined || run.state.isolationProven !== true || proof.finishedAt < sandbox.startedAt) {
        throw new SafetyError(`Refusing to start the bill run: isolation was not proven in the sandbox that runs now (started ${sandbox.startedAt}). Run \`rehearse prove ${plan.file}\` first.`, 1);
      }
    }
  }
  markLatest(run);
  let result: StageResult;
  try {
    result = await runStage(ctx, name, STAGES[name]);
  } finally {
    await ctx.engine?.close();
  }
  if (result.record.status === 'failed' && (name === 'restore' || name === 'sanitize')) {
    // No unsanitized copy outlives a failure: the next `rehearse restore` makes a new one.
    const deleted = await deleteDatabaseCopy(run, (message) => progress.error(`warning: ${message}`));
    const note = deleted.copyLeft ? 'the unsanitized copy could NOT be deleted; run `rehearse down` for this run' : deleted.removed.length > 0 ? 'the unsanitized copy was deleted' : '';
    if (note !== '') {
      progress.info(note);
      return { run, result: { ...result, record: { ...result.record, detail: `${result.record.detail ?? result.record.status}; ${note}` } } };
    }
  }
  return { run, result };
}

/** `rehearse report`: the report of the current run from what its stages recorded; a stage that did not pass counts as failed. */
export async function reportCommand(plan: Plan, options: { runId?: string }): Promise<{ run: RunFolder; reportPath: string; verdict: string; reason: string }> {
  const run = requireRun(plan, options.runId, 'report');
  const ctx: RunContext = { plan, run, progress: silentProgress, checks: [] };
  const completed = run.state.completed ?? {};
  await loadTrusted(ctx, new Set(STAGE_NAMES.filter((s) => completed[s] !== undefined)), { openCopy: false });
  const stages: StageRecord[] = STAGE_NAMES.map((s) => {
    const done = completed[s];
    return done !== undefined
      ? { name: s, status: 'passed', durationMs: done.durationMs, ...(done.detail !== undefined ? { detail: done.detail } : {}) }
      : { name: s, status: 'failed', durationMs: 0, detail: `not run (or not passed) in run ${run.runId}` };
  });
  const { report, reportPath } = writeRunReport(ctx, stages, run.state.createdAt);
  if (stages.every((s) => s.status === 'passed')) {
    run.state.reportedAt = new Date().toISOString();
    run.save();
  }
  return { run, reportPath, verdict: report.verdict, reason: report.verdictReason };
}

/**
 * `rehearse down`: the keeper and its sandbox, the service, the database copy; the reports stay.
 * The run is marked removed, so neither `all` nor a stage command ever resumes it. A state that
 * cannot be written (full disk, read-only) is passed to `warn`; what was removed stays removed.
 */
export async function down(run: RunFolder, warn: CleanupWarning): Promise<string[]> {
  return [...(await stopKeeper(run)), ...(await destroyRun(run, warn))];
}
