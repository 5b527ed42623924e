import type { Plan } from '../plan/types.js';
import { createRunFolder, markLatest, openRunFolder, saveDuringCleanup, type RunFolder } from '../run/run-folder.js';
import type { Progress, SummaryRow } from '../ui/progress.js';
import { ExitCode, UserError } from '../errors.js';
import { preflight } from '../preflight/preflight.js';
import type { RunContext } from './context.js';
import { sweepOrphanSandboxes } from '../sandbox/sandbox.js';
import { deleteDatabaseCopy, destroyRun, sweepDeadRuns, teardownSandbox } from '../stages/destroy.js';
import type { Report, StageRecord } from '../report/model.js';
import { assembleReport } from '../report/assemble.js';
import { writeReportFiles } from '../report/write.js';
import { STAGE_NAMES, STAGES } from './stages.js';
import { applyResume, findRunToResume, inputsSha256, planResume } from './resume.js';
import { runStage } from './stage-runner.js';
import { readKeeperRecord, stopKeeper } from './sandbox-keeper.js';
import { isProcessAlive } from '../run/process-alive.js';

export interface RehearsalOutcome {
  readonly report: Report;
  readonly runDir: string;
  readonly reportPath: string;
  readonly exitCode: number;
  /** Every stage as the person at the terminal saw it, reused ones included (for the summary table). */
  readonly summary: readonly SummaryRow[];
  /** Set when this run continued an earlier attempt: what was kept and what was done again. */
  readonly resumed?: readonly string[];
  /** The run failed and its database copy was kept so `rehearse all` can resume it. */
  readonly keptForResume: boolean;
  /** The run failed before its sanitize proof passed, and its unsanitized copy was deleted; a resume restores again. */
  readonly unsanitizedCopyDeleted: boolean;
  /** An unexpected failure (a bug): reported as a failed stage, and its stack kept for the user. */
  readonly unexpected?: Error;
}

export interface RehearsalOptions {
  /** Start a new run even when an earlier one of this plan can be resumed (that one is removed). */
  readonly fresh?: boolean;
  /** Resume this run (id or folder) instead of the newest resumable one. */
  readonly runId?: string;
}

/** The run this invocation works on: a resumed one (with what it redoes) or a new one. */
async function chooseRun(plan: Plan, options: RehearsalOptions, progress: Progress): Promise<{ run: RunFolder; resumed?: RunFolder }> {
  const inputs = inputsSha256(plan);
  const candidate = options.runId !== undefined ? openRunFolder(plan.report.dir, options.runId) : findRunToResume(plan);
  if (options.runId !== undefined && candidate !== undefined) {
    if (candidate.state.planFile !== plan.file) throw new UserError(`Run ${candidate.runId} rehearsed ${candidate.state.planFile}, not ${plan.file}. Pass that plan, or leave out --run.`);
    if (candidate.state.reportedAt !== undefined) throw new UserError(`Run ${candidate.runId} is finished (its report was written at ${candidate.state.reportedAt}); a finished run is never resumed. Leave out --run to start a new one.`);
    const keeper = readKeeperRecord(candidate);
    if (isProcessAlive(candidate.state.ownerPid) && (keeper === undefined || keeper.pid !== candidate.state.ownerPid)) {
      throw new UserError(`Run ${candidate.runId} is still running as pid ${candidate.state.ownerPid}. Wait for it, or stop it (Ctrl-C or \`kill ${candidate.state.ownerPid}\`) and run this again.`);
    }
  }
  if (candidate !== undefined && options.fresh === true) {
    const removed = await destroyRun(candidate);
    progress.info(`--fresh: run ${candidate.runId} is not resumed${removed.length > 0 ? ` (removed ${removed.join(', ')})` : ''}`);
    return { run: createRunFolder(plan.report.dir, plan.file, undefined, inputs) };
  }
  if (candidate === undefined) return { run: createRunFolder(plan.report.dir, plan.file, undefined, inputs) };
  return { run: candidate, resumed: candidate };
}

/**
 * plan → isolate → restore → sanitize → prove → bill run → verify → report → destroy. Each stage
 * runs only if every earlier one passed; report and destroy always run, even after a failure or a
 * signal. A run that a failure or a kill interrupted is resumed by the next call for the same plan.
 */
export async function runRehearsal(given: Plan, progress: Progress, options: RehearsalOptions = {}): Promise<RehearsalOutcome> {
  // With a snapshot catalogue, the plan from here on restores the backup picked from it.
  const { plan } = await preflight(given, { askSqlServer: 'always' });
  const { run, resumed } = await chooseRun(plan, options, progress);
  const ctx: RunContext = { plan, run, progress, checks: [] };
  let resumeNotes: readonly string[] | undefined;
  if (resumed !== undefined) {
    // The attempt's service and sandbox go first: a service still billing would change the copy under the checks.
    const leftovers = [...(await stopKeeper(run)), ...(await teardownSandbox(run))];
    const resume = await planResume(run, plan);
    await applyResume(ctx, resume);
    markLatest(run);
    resumeNotes = [...(leftovers.length > 0 ? [`removed what the interrupted attempt left: ${leftovers.join(', ')}`] : []), ...resume.redo];
    progress.info(`resuming run ${run.runId} (started ${run.state.createdAt})`);
    for (const note of resumeNotes) progress.info(`  ${note}`);
  }
  const swept = [...(await sweepDeadRuns(plan.report.dir)), ...(await sweepOrphanSandboxes())];
  for (const s of swept) progress.info(`removed leftovers of a killed run: ${s}`);

  const startedAt = new Date().toISOString();
  const stages: StageRecord[] = [];
  const summary: SummaryRow[] = [];
  let exitCode: number = ExitCode.go;
  let unexpected: Error | undefined;

  const stopOnSignal = (signal: NodeJS.Signals): void => {
    progress.info(`${signal} received: removing the sandbox of run ${run.runId}`);
    void closeAndDestroy(ctx, run, true)
      .then(({ copy }) => {
        if (COPY_NOTES[copy] !== '') progress.info(COPY_NOTES[copy]);
      })
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  let failed = false;
  try {
    for (const name of STAGE_NAMES) {
      const earlier = run.state.completed?.[name];
      if (earlier !== undefined) {
        const detail = `${earlier.detail ?? ''}${earlier.detail ? '; ' : ''}kept from the interrupted attempt`;
        stages.push({ name, status: 'passed', durationMs: earlier.durationMs, detail });
        summary.push({ name, status: 'reused', durationMs: 0, detail });
        progress.stageDone(name, 'reused', 0, detail);
        continue;
      }
      if (failed) {
        stages.push({ name, status: 'skipped', durationMs: 0, detail: 'an earlier stage failed' });
        summary.push({ name, status: 'skipped', durationMs: 0, detail: 'an earlier stage failed' });
        continue;
      }
      const result = await runStage(ctx, name, STAGES[name]);
      stages.push(result.record);
      summary.push(result.record);
      if (result.record.status === 'failed') {
        failed = true;
        exitCode = Math.max(exitCode, result.exitCode);
        if (result.unexpected !== undefined) unexpected = result.unexpected;
      }
    }
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
  }

  progress.stage('destroy');
  const destroyStarted = performance.now();
  const destroyed = await closeAndDestroy(ctx, run, failed);
  const destroyMs = performance.now() - destroyStarted;
  const { removed } = destroyed;
  const destroyDetail = `${removed.length > 0 ? `removed ${removed.join(', ')}` : 'nothing left to remove'}${COPY_NOTES[destroyed.copy] !== '' ? `; ${COPY_NOTES[destroyed.copy]}` : ''}`;
  stages.push({ name: 'destroy', status: 'passed', durationMs: destroyMs, detail: destroyDetail });
  summary.push({ name: 'destroy', status: 'passed', durationMs: destroyMs, detail: destroyed.copy === 'removed' ? 'everything removed but the reports' : `sandbox removed; ${COPY_NOTES[destroyed.copy]}` });
  progress.stageDone('destroy', 'passed', destroyMs);

  const { report, reportPath } = writeRunReport(ctx, stages, startedAt);
  const { verdict } = report;
  if (!failed) {
    run.state.reportedAt = new Date().toISOString();
    run.save();
  }
  if (verdict === 'NO-GO') exitCode = Math.max(exitCode, ExitCode.noGo);
  return {
    report,
    runDir: run.dir,
    reportPath,
    exitCode,
    summary,
    keptForResume: destroyed.copy === 'kept',
    unsanitizedCopyDeleted: destroyed.copy === 'deleted',
    ...(resumeNotes !== undefined ? { resumed: resumeNotes } : {}),
    ...(unexpected !== undefined ? { unexpected } : {}),
  };
}

/** What became of the run's database copy when its sandbox was removed. */
type CopyOutcome = 'kept' | 'deleted' | 'not-made' | 'left' | 'removed';

/** What the report and the terminal say about the copy. */
const COPY_NOTES: Readonly<Record<CopyOutcome, string>> = {
  kept: 'database copy kept to resume',
  deleted: 'the unsanitized copy was deleted (a resume restores it again)',
  'not-made': 'no database copy was made',
  left: 'the unsanitized copy could NOT be deleted; run `rehearse down` for this run',
  removed: '',
};

/**
 * Closes the copy and removes the sandbox and the service. A failed run whose sanitize proof
 * passed keeps its copy so it can be resumed, except when its bill run was cut short: that copy is
 * dirty and never reused. A run that failed before the proof passed deletes its unsanitized copy
 * at once; it stays resumable, and the resume restores again.
 */
async function closeAndDestroy(ctx: RunContext, run: RunFolder, failed: boolean): Promise<{ removed: string[]; copy: CopyOutcome }> {
  try {
    await ctx.engine?.close();
  } catch (error) {
    // A stage that failed mid-query can leave the connection busy; the process's exit releases it.
    ctx.progress.detail(`the database copy could not be closed: ${error instanceof Error ? error.message : String(error)}`);
  }
  ctx.engine = undefined;
  const warn = (message: string): void => ctx.progress.error(`warning: ${message}`);
  const billRunCutShort = run.state.billRunStartedAt !== undefined && run.state.completed?.['bill-run'] === undefined;
  if (!failed || billRunCutShort) return { removed: await destroyRun(run, warn), copy: 'removed' };
  const removed = await teardownSandbox(run, warn);
  run.state.keptForResume = true;
  if (run.state.sanitizeProofPassed === true) {
    saveDuringCleanup(run, warn);
    return { removed, copy: 'kept' };
  }
  const copy = await deleteDatabaseCopy(run, warn);
  removed.push(...copy.removed);
  if (copy.copyLeft) return { removed, copy: 'left' };
  if (copy.removed.length === 0) return { removed, copy: 'not-made' };
  run.state.unsanitizedCopyDeletedAt = new Date().toISOString();
  saveDuringCleanup(run, warn);
  return { removed, copy: 'deleted' };
}

/** Builds the report from the run's stages and checks, and writes every rendering into the run folder. */
export function writeRunReport(ctx: RunContext, stages: readonly StageRecord[], startedAt: string): { report: Report; reportPath: string } {
  const report = assembleReport(ctx, stages, startedAt);
  const reportPath = writeReportFiles(report, ctx.run.dir);
  return { report, reportPath };
}
