import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../plan/types.js';
import { listRunFolders, type RunFolder } from '../run/run-folder.js';
import { isProcessAlive } from '../run/process-alive.js';
import { readRunMarker } from '../run/marker.js';
import { currentSqlServerCopy, openRunCopy } from '../engine/run-databases.js';
import type { DatabaseEngine } from '../engine/types.js';
import { currentFingerprint } from '../run/copy-seal.js';
import { digestLedger } from '../sinkholes/ledger.js';
import { MAX_LEDGER_ENTRIES_IN_REPORT } from '../report/model.js';
import type { ScenarioBaseline } from '../checks/baseline.js';
import type { RunContext } from './context.js';
import { STAGE_NAMES, type StageName } from './stages.js';

/** Stages whose result lives in the database copy, in order; each one's copy fingerprint is recorded. */
const COPY_STAGES: readonly StageName[] = ['restore', 'sanitize', 'bill-run'];

/** One fingerprint for everything a run's result depends on that the user edits: the plan, its rule set and the platform's adapter. */
export function inputsSha256(plan: Plan): string {
  const hash = createHash('sha256');
  for (const file of [plan.file, plan.sanitize.rules, plan.platform.adapter.file]) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  // A newer backup in the catalogue changes the pick: a copy of the old one is not resumed.
  const picked = plan.snapshotSelection?.picked;
  if (picked !== undefined) hash.update('snapshot picked from the catalogue\0').update(picked.id);
  return hash.digest('hex');
}

/**
 * The run of this plan that a re-run continues: the newest one that never reached its report,
 * was not removed with `down`, and whose process is gone (killed, interrupted or failed).
 */
export function findRunToResume(plan: Plan): RunFolder | undefined {
  const newest = listRunFolders(plan.report.dir).find((r) => r.state.planFile === plan.file);
  if (newest === undefined || newest.state.reportedAt !== undefined) return undefined;
  if (newest.state.destroyedAt !== undefined && newest.state.keptForResume !== true) return undefined;
  // Removed by `down` on a disk too full (or read-only) to record it: its work folder went first.
  if (!existsSync(newest.workDir)) return undefined;
  if (isProcessAlive(newest.state.ownerPid) && newest.state.ownerPid !== process.pid) return undefined;
  return newest;
}

export interface ResumePlan {
  /** Stages whose earlier result is trusted (checked) and not run again. */
  readonly reuse: ReadonlySet<StageName>;
  /** What is done again and why, for the user and the run's state. */
  readonly redo: readonly string[];
}

/**
 * Decides what of an earlier attempt can be trusted. The database copy is trusted only when it
 * carries this run's marker and its sha256 is the one recorded when its last stage passed; a bill
 * run that started but did not finish leaves a dirty copy, which is restored again. The sandbox
 * of a dead process is never trusted: it is made again and isolation proven again before any bill run.
 */
export async function planResume(run: RunFolder, plan: Plan): Promise<ResumePlan> {
  const { state } = run;
  const done = state.completed ?? {};
  const redo: string[] = [];
  const reuse = new Set<StageName>();
  const copyStages = COPY_STAGES.filter((s) => done[s] !== undefined);
  const lastCopyStage = copyStages.length === COPY_STAGES.indexOf(copyStages.at(-1) ?? 'restore') + 1 ? copyStages.at(-1) : undefined;

  const copyProblem = await (async (): Promise<string | undefined> => {
    if (state.inputsSha256 !== undefined && state.inputsSha256 !== inputsSha256(plan)) return 'the plan, its rule set or the backup picked from its snapshot catalogue changed since this run started';
    if (state.billRunStartedAt !== undefined && done['bill-run'] === undefined) {
      return `the bill run started at ${state.billRunStartedAt} and did not finish, so the copy is partly billed`;
    }
    if (lastCopyStage === undefined) return 'no database stage had completed';
    const recorded = plan.database.engine === 'sqlite' ? state.databasePath !== undefined && existsSync(state.databasePath) : currentSqlServerCopy(state) !== undefined;
    if (!recorded) return 'the database copy is gone';
    let engine: DatabaseEngine | undefined;
    try {
      engine = await openRunCopy(plan, state);
    } catch (error) {
      // A SQL Server copy dropped by hand cannot be connected to; restoring again is the way on.
      if (plan.database.engine === 'sqlite') throw error;
      return `the database copy cannot be opened (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
    }
    if (engine === undefined) return 'the database copy is gone';
    try {
      const marker = await readRunMarker(engine);
      if (marker?.runId !== run.runId) return `the database copy carries ${marker === undefined ? 'no run marker' : `the marker of run ${marker.runId}`}`;
      if ((await currentFingerprint(plan, state, engine)) !== done[lastCopyStage]?.databaseSha256) return `the database copy changed after ${lastCopyStage} passed`;
    } finally {
      await engine.close();
    }
    return undefined;
  })();

  if (copyProblem !== undefined) {
    redo.push(`${copyProblem}: restoring again from the snapshot, then sanitize, prove and bill run`);
  } else {
    for (const s of COPY_STAGES.slice(0, COPY_STAGES.indexOf(lastCopyStage!) + 1)) reuse.add(s);
  }
  if (reuse.has('bill-run')) {
    // A billed copy needs no sandbox any more: verify reads the copy, the ledger file and the recorded checks.
    reuse.add('isolate');
    reuse.add('prove');
  } else {
    redo.push('the sandbox of the interrupted attempt is gone: it is made again and isolation proven again before the bill run');
  }
  const kept = STAGE_NAMES.filter((s) => reuse.has(s));
  if (kept.length > 0) redo.unshift(`kept after checking: ${kept.join(', ')}`);
  return { reuse, redo };
}

/**
 * Forgets every stage that runs again (with the flags the bill run's safety check reads), so
 * nothing of an untrusted attempt is kept, and makes this process the run's owner.
 */
export function forgetUntrusted(run: RunFolder, resume: ResumePlan): void {
  const done = run.state.completed ?? {};
  for (const name of STAGE_NAMES) if (!resume.reuse.has(name)) delete done[name];
  run.state.completed = done;
  if (!resume.reuse.has('prove')) run.state.isolationProven = false;
  if (!resume.reuse.has('sanitize')) run.state.sanitizeProofPassed = false;
  run.state.keptForResume = false;
  run.state.destroyedAt = undefined;
  run.state.ownerPid = process.pid;
  if (!resume.reuse.has('restore')) {
    // restore copies into a fresh file; whatever the attempt left in work/ is not trusted.
    rmSync(run.workDir, { recursive: true, force: true });
    mkdirSync(run.workDir, { recursive: true });
    run.state.databasePath = undefined;
  }
  if (!resume.reuse.has('bill-run')) Object.assign(run.state, { billRunStartedAt: undefined, controlStartedAt: undefined });
  (run.state.resumes ??= []).push({ at: new Date().toISOString(), ownerPid: process.pid, redo: resume.redo });
  run.save();
}

/** Brings the context to where the trusted stages left it: their checks, results, the copy, the baseline and the ledger. */
export async function loadTrusted(ctx: RunContext, reuse: ReadonlySet<StageName>, options: { openCopy: boolean }): Promise<void> {
  const { run } = ctx;
  const done = run.state.completed ?? {};
  for (const name of STAGE_NAMES) {
    const stage = done[name];
    if (!reuse.has(name) || stage === undefined) continue;
    ctx.checks.push(...stage.checks);
    if (stage.sanitize !== undefined) ctx.sanitize = { tables: [...stage.sanitize.tables], proof: stage.sanitize.proof };
    if (stage.isolationProof !== undefined) ctx.isolationProof = stage.isolationProof;
    if (stage.releaseNotes !== undefined) ctx.releaseNotes = stage.releaseNotes;
  }
  if (options.openCopy && reuse.has('restore')) ctx.engine = await openRunCopy(ctx.plan, run.state);
  if (reuse.has('bill-run')) {
    ctx.baseline = JSON.parse(readFileSync(join(run.dir, 'baseline.json'), 'utf8')) as ScenarioBaseline;
    const ledger = join(run.dir, 'sandbox', 'egress-ledger.jsonl');
    ctx.ledger = digestLedger(ledger, run.state.billRunStartedAt, MAX_LEDGER_ENTRIES_IN_REPORT);
  }
}

export async function applyResume(ctx: RunContext, resume: ResumePlan): Promise<void> {
  forgetUntrusted(ctx.run, resume);
  await loadTrusted(ctx, resume.reuse, { openCopy: true });
}
