// One rehearsal, stage by stage, in a process of its own so every stage's peak memory is this
// process's alone. Started by bench/harness.ts; writes its figures as JSON to the file it is given.
import { sqliteFiles } from '../src/plan/sources.js';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../src/plan/load.js';
import { createRunFolder } from '../src/run/run-folder.js';
import { silentProgress, type Progress } from '../src/ui/progress.js';
import type { RunContext, Stage } from '../src/pipeline/context.js';
import { isolate } from '../src/stages/isolate.js';
import { restore } from '../src/stages/restore.js';
import { sanitize } from '../src/stages/sanitize.js';
import { prove } from '../src/stages/prove.js';
import { billRun } from '../src/stages/bill-run.js';
import { outboundInputs, stateDifferential, verify } from '../src/stages/verify.js';
import { Profile } from '../src/platform/profile.js';
import { checkOutbound } from '../src/checks/outbound.js';
import { openProductionResult } from '../src/engine/run-databases.js';
import { beforeBillRunPath, maskedProductionPath } from '../src/differential/masked-production.js';
import { runWorker } from './worker-process.js';
import type { FloorsInput, FloorsOutput, VerifyFloors } from './floors-worker.js';
import { destroyRun } from '../src/stages/destroy.js';
import { writeReportFiles } from '../src/report/write.js';
import { ownPeakKb, resetOwnPeak } from './process-memory.js';
import { timeEmptyNamespace, timePlainCopy, warmPageCache } from './baselines.js';
import { seconds } from './stage-baselines.js';
import { assembleReport } from '../src/report/assemble.js';
import type { StageFigures } from './results.js';
import { median } from './median.js';
import { collectGarbageNow } from '../src/runtime/full-collection.js';

export interface WorkerInput {
  readonly planFile: string;
  readonly resultFile: string;
}

export interface WorkerOutput {
  readonly verdict?: string;
  readonly stages: StageFigures[];
  readonly error?: string;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * A stage's parts, cut where it announces its next step (`progress.detail`): verify names its
 * comparisons, so its time and peak can be split among them. The process's peak is reset at every
 * cut; the stage's own peak is the highest of its parts'.
 */
interface StagePart {
  readonly name: string;
  readonly ms: number;
  readonly peakKb: number;
}
/** Later restores of the same file are short and this machine's disk is erratic, so they are timed several times. */
const RESTORE_AGAIN_PAIRS = 3;

const SPLIT_INTO_PARTS = new Set(['verify']);
let parts: StagePart[] = [];
let part: { name: string; started: number } | undefined;

function closePart(): void {
  if (part !== undefined) parts.push({ name: part.name, ms: performance.now() - part.started, peakKb: ownPeakKb() });
  part = undefined;
}

function startParts(stageName: string): void {
  parts = [];
  part = SPLIT_INTO_PARTS.has(stageName) ? { name: 'the checks before the first comparison', started: performance.now() } : undefined;
}

/** The stages' counters every 15 s (a bill run of a million accounts takes minutes), and their parts. */
function periodicCounters(intervalMs = 15_000): Progress {
  let last = Date.now();
  return {
    ...silentProgress,
    tick(label, done, total) {
      if (Date.now() - last < intervalMs) return;
      last = Date.now();
      say(`      ${label}: ${done.toLocaleString('en-US')}${total !== undefined ? ` of ${total.toLocaleString('en-US')}` : ''}`);
    },
    detail(message) {
      if (part === undefined) return;
      closePart();
      resetOwnPeak();
      part = { name: message, started: performance.now() };
    },
  };
}

const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
const plan = loadPlan(input.planFile);
const run = createRunFolder(plan.report.dir, plan.file);
const ctx: RunContext = { plan, run, progress: periodicCounters(), checks: [] };
/** Where the floors worker writes what it measured (beside this worker's own figures). */
const floorsFile = `${input.resultFile}.floors.json`;
const figures: StageFigures[] = [];

type Baseline = StageFigures['baseline'];
/**
 * What only the finished stage can tell: notes, the part of it a goal judges, and its time when
 * the work timed it several times (the median, not the sum).
 */
type AfterStage = Pick<StageFigures, 'judged' | 'alternative'> & { readonly notes?: string[]; readonly ms?: number };

/**
 * Times one stage; its memory peak is this process's high-water mark, reset right before it. A
 * baseline given as a function is read after the work, for stages that time theirs in between.
 */
async function measure(name: string, work: () => Promise<string | undefined>, baselineOf?: Baseline | (() => Baseline), notesBefore: string[] = [], after: () => AfterStage = () => ({})): Promise<void> {
  resetOwnPeak();
  startParts(name);
  const startedAt = Date.now();
  const started = performance.now();
  const detail = await work();
  const ms = performance.now() - started;
  closePart();
  const baseline = typeof baselineOf === 'function' ? baselineOf() : baselineOf;
  const { notes: notesAfter = [], ms: ownMs, ...judgedParts } = after();
  const partNotes = parts.length > 1 ? [`its parts: ${parts.map((p) => `${p.name} ${(p.ms / 1000).toFixed(2)} s, peak ${(p.peakKb / 1024).toFixed(0)} MB`).join('; ')}`] : [];
  const notes = [...notesBefore, ...notesAfter, ...partNotes];
  const figure: StageFigures = {
    name,
    ms: ownMs ?? ms,
    startedAt,
    finishedAt: Date.now(),
    peakMb: Math.max(ownPeakKb(), ...parts.map((p) => p.peakKb)) / 1024,
    ...(baseline !== undefined ? { baseline } : {}),
    ...judgedParts,
    ...(detail !== undefined ? { detail } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
  figures.push(figure);
  // Written after every stage, so a worker that dies later (out of memory) still leaves what it measured.
  writeOutput({ stages: figures, error: 'the rehearsal did not finish' });
  const judgedMs = figure.judged?.ms ?? figure.ms;
  const ratio = baseline !== undefined ? `, ${figure.judged !== undefined ? `${figure.judged.name} ` : ''}${(judgedMs / baseline.ms).toFixed(2)}× ${baseline.name} (${(baseline.ms / 1000).toFixed(2)} s)` : '';
  say(`    ${name}: ${(figure.ms / 1000).toFixed(2)} s${ratio}, peak ${figure.peakMb.toFixed(0)} MB`);
}

const stage = (fn: Stage) => () => fn(ctx);

async function rehearse(): Promise<string> {
  const stageRecords: { name: string; status: 'passed'; durationMs: number }[] = [];
  const startedAt = new Date().toISOString();
  const namespace = await timeEmptyNamespace();
  await measure('sandbox up', stage(isolate), { name: 'ip netns add', ms: namespace.addMs });

  const files = sqliteFiles(plan);
  await warmPageCache(files.snapshot);
  const copy = join(run.workDir, 'bench-plain-copy.db');
  // Each restore is timed right after a plain copy of the same file, deleted at once, so both
  // write to the same free blocks: this machine's disk writes new blocks several times slower
  // after about a gigabyte, in runs that say nothing about the code (BENCHMARKS.md, restore).
  const copyMs = await timePlainCopy(files.snapshot, copy);
  rmSync(copy);
  await measure('restore', stage(restore), { name: 'plain copy', ms: copyMs });
  // Every later rehearsal of the same backup file: its integrity check is remembered by version.
  // Timed in alternating pairs with the plain copy, each kind's median judged.
  const pairs: { copyMs: number; restoreMs: number }[] = [];
  await measure(
    'restore again',
    async () => {
      let detail: string | undefined;
      for (let pair = 0; pair < RESTORE_AGAIN_PAIRS; pair++) {
        const pairCopyMs = await timePlainCopy(files.snapshot, copy);
        rmSync(copy);
        const again: RunContext = { plan, run: createRunFolder(plan.report.dir, plan.file), progress: silentProgress, checks: [] };
        const started = performance.now();
        try {
          detail = await restore(again);
        } finally {
          await again.engine?.close();
          pairs.push({ copyMs: pairCopyMs, restoreMs: performance.now() - started });
          rmSync(again.run.dir, { recursive: true, force: true });
        }
      }
      return detail;
    },
    () => ({ name: `plain copy, each right before a restore (median of ${RESTORE_AGAIN_PAIRS})`, ms: median(pairs.map((p) => p.copyMs)) }),
    [],
    () => ({
      ms: median(pairs.map((p) => p.restoreMs)),
      notes: [`the median of ${RESTORE_AGAIN_PAIRS} pairs, each a plain copy then a restore (s): ${pairs.map((p) => `${seconds(p.copyMs)} / ${seconds(p.restoreMs)}`).join(', ')}`],
    }),
  );

  const sanitizeFloor = (await floorsApart({ kind: 'sanitize', resultFile: floorsFile, snapshot: files.snapshot, workDir: run.workDir })).sanitize!;
  // The goal judges the stage's own masking (its rules' UPDATEs, batched as it runs them); the
  // rest of the stage is the PII proof, the fake-value tables and the rule checks.
  await measure('sanitize', stage(sanitize), sanitizeFloor.baseline, sanitizeFloor.notes, () => ({
    judged: { name: "masking (the rules' UPDATEs)", ms: (ctx.sanitize?.tables ?? []).reduce((sum, t) => sum + t.durationMs, 0) },
    ...(sanitizeFloor.alternative !== undefined ? { alternative: sanitizeFloor.alternative } : {}),
  }));

  await measure('prove', stage(prove));
  await measure('bill run', stage(billRun));

  // Verify compares three ways, so its floor is one read of all it compares: both result tables
  // (the production diff), every table of the three databases (the state differential) and both
  // ledgers (the outbound checks), each read once unmeasured first, as its comparison will be.
  const floors = (
    await floorsApart({
      kind: 'verify',
      resultFile: floorsFile,
      billed: run.state.databasePath!,
      productionResult: files.productionResult,
      billDate: plan.billRun.date,
      databases: [run.state.databasePath!, beforeBillRunPath(run.workDir), maskedProductionPath(run.workDir)],
      ledgers: [ctx.ledger?.file, plan.productionResult.ledger],
    })
  ).verify!;
  const verifyFloor = floors.production;
  const verifyFloorMs = verifyFloor.baseline.ms + floors.scanMs + floors.readMs;
  const floorNote = `its floor: ${verifyFloor.baseline.name} ${seconds(verifyFloor.baseline.ms)} s + full scan of every table of the three databases ${seconds(floors.scanMs)} s + one read of both ledgers ${seconds(floors.readMs)} s`;
  await measure('verify', stage(verify), { name: 'one read of all it compares (result tables, the three databases, both ledgers)', ms: verifyFloorMs }, [...verifyFloor.notes, floorNote]);
  await measureDifferentials(floors);

  // The differentials' rows time checks verify already ran: not stages of the report.
  for (const f of figures) if (!f.name.endsWith(' differential')) stageRecords.push({ name: f.name, status: 'passed', durationMs: f.ms });
  let verdict = 'NO-GO';
  await measure('report', async () => {
    const report = assembleReport(ctx, stageRecords, startedAt);
    verdict = report.verdict;
    writeReportFiles(report, run.dir);
    return `${report.verdict}: ${report.verdictReason}`;
  });
  await measure(
    'destroy',
    async () => {
      await ctx.engine?.close();
      ctx.engine = undefined;
      return (await destroyRun(run)).join(', ');
    },
    { name: 'ip netns delete', ms: namespace.deleteMs },
  );
  return verdict;
}

/**
 * The floors of sanitize and verify, measured in a process of their own so that what their reads
 * leave behind is not counted in this process's peak; a floor that fails fails the bench.
 */
async function floorsApart(input: FloorsInput): Promise<FloorsOutput> {
  const output = await runWorker<FloorsOutput>('bench/floors-worker.ts', input, join(run.workDir, 'floors-runs'), { error: 'the floors worker wrote nothing' });
  rmSync(input.resultFile, { force: true });
  if (output.error !== undefined) throw new Error(`measuring the ${input.kind} floor failed: ${output.error}`);
  return output;
}

/** The two differentials once more on their own (verify ran them among the other checks), each against its floor. */
async function measureDifferentials({ scanMs, readMs }: VerifyFloors): Promise<void> {
  const engine = ctx.engine;
  if (engine === undefined || run.state.databasePath === undefined) throw new Error('the differentials need the billed copy');
  const production = await openProductionResult(plan);
  const profile = new Profile(plan.platform.adapter);
  try {
    let state = '';
    await measure('state differential', async () => {
      const result = await stateDifferential(ctx, engine, production, profile);
      state = result.status;
      return `${result.status}: ${result.summary}`;
    }, { name: 'full scan of every table of the three databases', ms: scanMs });
    if (state !== 'passed') throw new Error(`the state differential did not pass on the unchanged candidate (${state})`);
    await measure('outbound differential', async () => {
      const results = await checkOutbound(outboundInputs(ctx, engine, production, profile));
      const failed = results.filter((r) => r.status === 'failed').map((r) => r.id);
      if (failed.length > 0) throw new Error(`outbound checks failed on the unchanged candidate: ${failed.join(', ')}`);
      return results.map((r) => `${r.id} ${r.status}`).join(', ');
    }, { name: 'one read of both ledgers', ms: readMs });
    // As verify does after its outbound checks: their records, dead now, are not the report's.
    collectGarbageNow();
  } finally {
    await production.close();
  }
}

async function cleanUp(): Promise<void> {
  await ctx.engine?.close();
  ctx.engine = undefined;
  await destroyRun(run);
}

function writeOutput(output: WorkerOutput): void {
  writeFileSync(input.resultFile, `${JSON.stringify(output, null, 2)}\n`);
}

process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

let output: WorkerOutput;
try {
  output = { verdict: await rehearse(), stages: figures };
} catch (error) {
  await cleanUp();
  output = { stages: figures, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
writeOutput(output);
