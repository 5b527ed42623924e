import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/runtime/typescript-process.js';
import { runWorker } from '../worker-process.js';
import { writePlan } from '../harness.js';
import { machineInfo, sourceState } from '../machine.js';
import type { MachineInfo, SourceState } from '../results.js';
import { ensureBenchSample } from '../samples.js';
import { median } from '../median.js';
import type { BillRunFigures, WorkerInput, WorkerOutput } from './worker.js';

export const SANDBOX_COST_SCHEMA_VERSION = 1;
/** The goal: our sinkholes add at most this share to the bill run over the cheapest accept-and-discard servers. */
export const SANDBOX_COST_GOAL = 0.2;

export interface SandboxCostResults {
  readonly schemaVersion: number;
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly accounts: number;
  readonly seed: number;
  readonly machine: MachineInfo;
  readonly source: SourceState;
  readonly loadAverage: readonly [number, number];
  /** Production's own bill run of the same sample on the old release, timed when the sample was made. */
  readonly productionBillRunMs?: number;
  readonly runs: readonly BillRunFigures[];
  /** Median over the rounds of (ours − accept-discard) ÷ accept-discard, each taken within one round. */
  readonly addedShare: number;
  /** The same in CPU: (our sinkholes' CPU − the accept-discard servers') ÷ (platform + accept-discard CPU), median over the rounds. */
  readonly addedCpuShare: number;
  readonly met: boolean;
  readonly error?: string;
}

/** (ours − cheapest) ÷ cheapest per round, from rounds where both variants ran; the median of those. */
export function addedShareOf(runs: readonly BillRunFigures[]): number | undefined {
  const rounds = [...new Set(runs.map((r) => r.round))];
  const shares = rounds.flatMap((round) => {
    const ours = runs.find((r) => r.round === round && r.variant === 'ours');
    const cheap = runs.find((r) => r.round === round && r.variant === 'accept-discard');
    return ours !== undefined && cheap !== undefined && cheap.billRunMs > 0 ? [(ours.billRunMs - cheap.billRunMs) / cheap.billRunMs] : [];
  });
  return shares.length > 0 ? median(shares) : undefined;
}

/** What our sinkholes add in CPU over accept-discard, as a share of the bill run's CPU with accept-discard; median over rounds. */
export function addedCpuShareOf(runs: readonly BillRunFigures[]): number | undefined {
  const rounds = [...new Set(runs.map((r) => r.round))];
  const shares = rounds.flatMap((round) => {
    const ours = runs.find((r) => r.round === round && r.variant === 'ours');
    const cheap = runs.find((r) => r.round === round && r.variant === 'accept-discard');
    const cheapTotal = cheap === undefined ? 0 : cheap.platformCpuMs + cheap.sinkholeCpuMs;
    return ours !== undefined && cheap !== undefined && cheapTotal > 0 ? [(ours.sinkholeCpuMs - cheap.sinkholeCpuMs) / cheapTotal] : [];
  });
  return shares.length > 0 ? median(shares) : undefined;
}

export interface SandboxCostOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly rounds: number;
  readonly cacheDir: string;
  readonly resultsDir: string;
  readonly command: string;
  readonly say: (line: string) => void;
}

/** Rehearses the sample once up to the bill run, then bills it `rounds` times with each kind of sinkhole. */
export async function runSandboxCostBench(options: SandboxCostOptions): Promise<{ results: SandboxCostResults; resultsFile: string }> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg()[0] ?? 0;
  options.say(`▶ ${options.accounts.toLocaleString('en-US')} accounts: sample`);
  const sample = await ensureBenchSample(options.cacheDir, options.accounts, options.seed, options.say);
  options.say(`▶ ${options.accounts.toLocaleString('en-US')} accounts: bill runs with our sinkholes and with accept-discard servers, ${options.rounds} round(s)`);
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-sandbox-cost-'));
  let output: WorkerOutput;
  try {
    const input: WorkerInput = { planFile: writePlan(dir, sample), resultFile: join(dir, 'figures.json'), rounds: options.rounds };
    output = await runWorker<WorkerOutput>('bench/sandbox-cost/worker.ts', input, join(dir, 'reports'), { runs: [], error: 'no figures written' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const addedShare = addedShareOf(output.runs);
  const results: SandboxCostResults = {
    schemaVersion: SANDBOX_COST_SCHEMA_VERSION,
    command: options.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    accounts: options.accounts,
    seed: options.seed,
    machine: machineInfo(),
    source: sourceState(PROJECT_ROOT),
    loadAverage: [loadBefore, loadavg()[0] ?? 0],
    ...(sample.generate !== undefined ? { productionBillRunMs: sample.generate.productionBillRunMs } : {}),
    runs: output.runs,
    addedShare: addedShare ?? Number.NaN,
    addedCpuShare: addedCpuShareOf(output.runs) ?? Number.NaN,
    met: output.error === undefined && addedShare !== undefined && addedShare <= SANDBOX_COST_GOAL,
    ...(output.error !== undefined ? { error: output.error } : {}),
  };
  mkdirSync(options.resultsDir, { recursive: true });
  const resultsFile = join(options.resultsDir, `${startedAt.replace(/[:.]/g, '-')}-${options.accounts}.json`);
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  return { results, resultsFile };
}
