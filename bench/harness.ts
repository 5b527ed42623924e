import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import { runWorker } from './worker-process.js';
import { ensureBenchSample, type BenchSample } from './samples.js';
import { peakIn, sampleProcessTree } from './process-memory.js';
import { machineInfo, sourceState } from './machine.js';
import { latestPerSize, RESULTS_SCHEMA_VERSION, writeResults, type BenchResults, type SizeResult } from './results.js';
import { updateBenchmarksMarkdown } from './markdown.js';
import type { WorkerInput, WorkerOutput } from './rehearsal-worker.js';
import { adjustProbes } from '../tests/helpers/plan-probes.js';

export interface BenchOptions {
  readonly sizes: readonly number[];
  readonly seed: number;
  /** Samples are generated here once and reused (bench/.cache/ by default). */
  readonly cacheDir: string;
  /** One JSON file per bench run. */
  readonly resultsDir: string;
  /** BENCHMARKS.md: its generated section is rewritten from the newest figures of every size. */
  readonly markdownFile: string;
  readonly command: string;
  readonly say: (line: string) => void;
}

export interface BenchOutcome {
  readonly results: BenchResults;
  readonly resultsFile: string;
  readonly failed: boolean;
}

/** The example plan, pointed at a bench sample; the bill-run timeout fits a million accounts on a small machine. */
export function writePlan(dir: string, sample: BenchSample): string {
  const text = adjustProbes(readFileSync(join(PROJECT_ROOT, 'plans/example-local.yaml'), 'utf8'), false)
    .replace(/^sample: .*$/m, '')
    .replace('../samples/sample-2000/snapshot.db', sample.snapshot)
    .replace('../samples/sample-2000/production-result.db', sample.productionResult)
    .replace('../samples/sample-2000/production-ledger.jsonl', join(dirname(sample.productionResult), 'production-ledger.jsonl'))
    .replace('../sanitize/sample-platform.yaml', join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'))
    .replace(/timeoutSeconds: \d+/, 'timeoutSeconds: 7200');
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, `${text}\nreport:\n  dir: ${join(dir, 'reports')}\n`);
  return file;
}

async function rehearseOnce(sample: BenchSample): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-bench-'));
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const input: WorkerInput = { planFile: writePlan(dir, sample), resultFile: join(dir, 'figures.json') };
    let sampler: ReturnType<typeof sampleProcessTree> | undefined;
    const output = await runWorker<WorkerOutput>('bench/rehearsal-worker.ts', input, join(dir, 'reports'), { stages: [], error: 'no figures written' }, (pid) => (sampler = sampleProcessTree(pid)));
    const samples = sampler?.stop() ?? [];
    const stages = output.stages.map((s) => ({ ...s, childrenPeakMb: peakIn(samples, s.startedAt, s.finishedAt, (m) => m.descendantsKb) / 1024 }));
    return {
      accounts: sample.accounts,
      snapshotMb: sample.snapshotMb,
      loadAverage: [loadBefore, loadavg()[0] ?? 0],
      ...(sample.generate !== undefined ? { generate: sample.generate } : {}),
      ...(output.verdict !== undefined ? { verdict: output.verdict } : {}),
      stages,
      ...(output.error !== undefined ? { error: output.error } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generates (or reuses) a sample per size, rehearses each once stage by stage, writes the JSON and BENCHMARKS.md. */
export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const startedAt = new Date().toISOString();
  const sizes: SizeResult[] = [];
  for (const accounts of options.sizes) {
    options.say(`▶ ${accounts.toLocaleString('en-US')} accounts: sample`);
    const sample = await ensureBenchSample(options.cacheDir, accounts, options.seed, options.say);
    if (sample.generate !== undefined && sample.generate.cached !== true) {
      options.say(`    generate: ${(sample.generate.ms / 1000).toFixed(1)} s, production's bill run ${(sample.generate.productionBillRunMs / 1000).toFixed(1)} s`);
    }
    options.say(`▶ ${accounts.toLocaleString('en-US')} accounts: rehearsal (${sample.snapshotMb.toFixed(0)} MB snapshot)`);
    const result = await rehearseOnce(sample);
    if (result.error !== undefined) options.say(`  ✘ ${accounts} accounts failed: ${result.error}`);
    else options.say(`  ✔ ${accounts.toLocaleString('en-US')} accounts: verdict ${result.verdict}`);
    sizes.push(result);
  }
  const results: BenchResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    command: options.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    seed: options.seed,
    machine: machineInfo(),
    source: sourceState(PROJECT_ROOT),
    sizes,
  };
  const resultsFile = writeResults(options.resultsDir, results);
  updateBenchmarksMarkdown(options.markdownFile, latestPerSize(options.resultsDir));
  const failed = sizes.some((s) => s.error !== undefined || s.verdict !== 'GO');
  return { results, resultsFile, failed };
}
