import { ExitCode, UserError } from '../errors.js';
import type { StageRecord } from '../report/model.js';
import type { RunContext, Stage } from './context.js';
import { fingerprintCopy } from '../run/copy-seal.js';
import type { StageName } from './stages.js';

export interface StageResult {
  readonly record: StageRecord;
  readonly exitCode: number;
  readonly unexpected?: Error;
}

/** Stages after which the copy's fingerprint is recorded: the copy is only trusted again if it still matches. */
const FINGERPRINTED: ReadonlySet<StageName> = new Set(['restore', 'sanitize', 'bill-run']);

/**
 * Runs one stage with progress lines, and records it in the run's state when it passes (with the
 * checks it added and the copy's fingerprint), so a later invocation can resume after it.
 */
export async function runStage(ctx: RunContext, name: StageName, stage: Stage): Promise<StageResult> {
  const { progress, run } = ctx;
  progress.stage(name);
  const checksBefore = ctx.checks.length;
  const started = performance.now();
  try {
    const detail = await stage(ctx);
    const durationMs = performance.now() - started;
    const fingerprint = FINGERPRINTED.has(name) ? await fingerprintCopy(ctx.plan, run.state, ctx.engine) : undefined;
    (run.state.completed ??= {})[name] = {
      durationMs,
      ...(detail !== undefined ? { detail } : {}),
      finishedAt: new Date().toISOString(),
      checks: ctx.checks.slice(checksBefore),
      ...(fingerprint !== undefined ? { databaseSha256: fingerprint } : {}),
      ...(name === 'sanitize' && ctx.sanitize !== undefined ? { sanitize: ctx.sanitize } : {}),
      ...(name === 'prove' && ctx.isolationProof !== undefined ? { isolationProof: ctx.isolationProof } : {}),
      ...(name === 'verify' && ctx.releaseNotes !== undefined ? { releaseNotes: ctx.releaseNotes } : {}),
    };
    run.save();
    progress.stageDone(name, 'passed', durationMs, detail);
    return { record: { name, status: 'passed', durationMs, ...(detail !== undefined ? { detail } : {}) }, exitCode: ExitCode.go };
  } catch (error) {
    const durationMs = performance.now() - started;
    const message = error instanceof Error ? error.message : String(error);
    progress.stageDone(name, 'failed', durationMs);
    const record: StageRecord = { name, status: 'failed', durationMs, detail: message };
    if (error instanceof UserError) {
      progress.error(message);
      return { record, exitCode: error.exitCode };
    }
    return { record, exitCode: ExitCode.badInput, unexpected: error instanceof Error ? error : new Error(message) };
  }
}
