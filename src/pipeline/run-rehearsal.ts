import type { Plan } from '../plan/types.js';
import { createRunFolder, type RunFolder } from '../run/run-folder.js';
import type { Progress } from '../ui/progress.js';
import { ExitCode, UserError } from '../errors.js';
import { loadRuleSet } from '../sanitize/rules.js';
import type { RunContext, Stage } from './context.js';
import { isolate } from '../stages/isolate.js';
import { prove } from '../stages/prove.js';
import { sweepOrphanSandboxes } from '../sandbox/sandbox.js';
import { restore } from '../stages/restore.js';
import { sanitize } from '../stages/sanitize.js';
import { billRun } from '../stages/bill-run.js';
import { verify } from '../stages/verify.js';
import { destroyRun, sweepDeadRuns } from '../stages/destroy.js';
import { summarizeLedger } from '../sinkholes/ledger.js';
import { checklistStatus, decideVerdict, MAX_LEDGER_ENTRIES_IN_REPORT, REPORT_SCHEMA_VERSION, type Report, type StageRecord } from '../report/model.js';
import { writeReportFiles } from '../report/write.js';

export interface RehearsalOutcome {
  readonly report: Report;
  readonly runDir: string;
  readonly reportPath: string;
  readonly exitCode: number;
  /** An unexpected failure (a bug): reported as a failed stage, and its stack kept for the user. */
  readonly unexpected?: Error;
}

const STAGES: readonly (readonly [string, Stage])[] = [
  ['isolate', isolate],
  ['restore', restore],
  ['sanitize', sanitize],
  ['prove', prove],
  ['bill-run', billRun],
  ['verify', verify],
];

/**
 * plan → isolate → restore → sanitize → bill run → verify → report → destroy. Each stage runs
 * only if every earlier one passed; report and destroy always run, even after a failure or a signal.
 */
export async function runRehearsal(plan: Plan, progress: Progress): Promise<RehearsalOutcome> {
  loadRuleSet(plan.sanitize.rules);
  const swept = [...(await sweepDeadRuns(plan.report.dir)), ...(await sweepOrphanSandboxes())];
  for (const s of swept) progress.info(`removed leftovers of a killed run: ${s}`);

  const run = createRunFolder(plan.report.dir, plan.file);
  const startedAt = new Date().toISOString();
  const ctx: RunContext = { plan, run, progress, checks: [] };
  const stages: StageRecord[] = [];
  let exitCode: number = ExitCode.go;
  let unexpected: Error | undefined;

  const stopOnSignal = (signal: NodeJS.Signals): void => {
    progress.info(`${signal} received: removing the sandbox of run ${run.runId}`);
    void closeAndDestroy(ctx, run).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    let failed = false;
    for (const [name, stage] of STAGES) {
      if (failed) {
        stages.push({ name, status: 'skipped', durationMs: 0, detail: 'an earlier stage failed' });
        continue;
      }
      progress.stage(name);
      const started = performance.now();
      try {
        const detail = await stage(ctx);
        const durationMs = performance.now() - started;
        stages.push({ name, status: 'passed', durationMs, ...(detail !== undefined ? { detail } : {}) });
        progress.stageDone(name, 'passed', durationMs, detail);
      } catch (error) {
        failed = true;
        const durationMs = performance.now() - started;
        const message = error instanceof Error ? error.message : String(error);
        stages.push({ name, status: 'failed', durationMs, detail: message });
        progress.stageDone(name, 'failed', durationMs);
        if (error instanceof UserError) {
          progress.error(message);
          exitCode = Math.max(exitCode, error.exitCode);
        } else {
          unexpected = error instanceof Error ? error : new Error(message);
          exitCode = Math.max(exitCode, ExitCode.badInput);
        }
      }
    }
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
  }

  progress.stage('destroy');
  const destroyStarted = performance.now();
  const removed = await closeAndDestroy(ctx, run);
  const destroyMs = performance.now() - destroyStarted;
  stages.push({ name: 'destroy', status: 'passed', durationMs: destroyMs, detail: removed.length > 0 ? `removed ${removed.join(', ')}` : 'nothing left to remove' });
  progress.stageDone('destroy', 'passed', destroyMs);

  const { verdict, reason } = decideVerdict(stages, ctx.checks);
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    plan: {
      file: plan.file,
      releaseCandidate: plan.releaseCandidate,
      target: plan.target,
      release: plan.platform.release,
      faults: plan.platform.faults,
    },
    verdict,
    verdictReason: reason,
    startedAt,
    finishedAt: new Date().toISOString(),
    stages,
    checks: ctx.checks,
    checklist: checklistStatus(plan.checklist, ctx.checks),
    ...(ctx.sanitize !== undefined ? { sanitize: ctx.sanitize } : {}),
    ...(ctx.isolationProof !== undefined ? { isolation: { counts: ctx.isolationProof.counts, probes: ctx.isolationProof.results } } : {}),
    ...(ctx.ledger !== undefined
      ? {
          egress: {
            summary: summarizeLedger(ctx.ledger),
            entries: ctx.ledger.slice(0, MAX_LEDGER_ENTRIES_IN_REPORT),
            entriesOmitted: Math.max(0, ctx.ledger.length - MAX_LEDGER_ENTRIES_IN_REPORT),
          },
        }
      : {}),
  };
  const reportPath = writeReportFiles(report, run.dir);
  if (verdict === 'NO-GO') exitCode = Math.max(exitCode, ExitCode.noGo);
  return { report, runDir: run.dir, reportPath, exitCode, ...(unexpected !== undefined ? { unexpected } : {}) };
}

async function closeAndDestroy(ctx: RunContext, run: RunFolder): Promise<string[]> {
  await ctx.engine?.close();
  ctx.engine = undefined;
  return destroyRun(run);
}
