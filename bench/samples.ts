import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import { PROJECT_ROOT, typescriptCommand } from '../src/runtime/typescript-process.js';
import { peakIn, sampleProcessTree } from './process-memory.js';
import type { GenerateFigures } from './results.js';

export const BILL_DATE = '2026-11-01';

export interface BenchSample {
  readonly accounts: number;
  readonly dir: string;
  readonly snapshot: string;
  readonly productionResult: string;
  readonly snapshotMb: number;
  /** How long generating took when this sample was made (now, or by an earlier bench run). */
  readonly generate?: GenerateFigures;
}

const SNAPSHOT_WRITTEN = /^Snapshot written in /m;

/**
 * A cached sample made by the sample platform's own tool, which reuses matching files. When the
 * tool really generates, the time until it reports the snapshot written is "generate", the rest
 * is production's own bill run on the old release; both are kept beside the sample for later runs.
 */
export async function ensureBenchSample(cacheDir: string, accounts: number, seed: number, say: (line: string) => void): Promise<BenchSample> {
  const dir = join(cacheDir, `sample-${accounts}-seed-${seed}`);
  const figuresFile = join(dir, 'bench-generate.json');
  const tool = typescriptCommand(`${PROJECT_ROOT}sample-platform/scripts/make-sample.ts`, [
    '--accounts', String(accounts), '--seed', String(seed), '--bill-date', BILL_DATE, '--out', dir,
  ]);
  const started = Date.now();
  let snapshotWrittenAt: number | undefined;
  let reused = false;
  const output: string[] = [];
  // SHLVL=1 keeps zx's bash from reading ~/.bashrc; the tool gets no secret from this environment.
  const child = $({ nothrow: true, quiet: true, env: { ...tool.env, SHLVL: '1' } })`${tool.command} ${tool.args}`;
  const sampler = sampleProcessTree(child.pid!);
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (SNAPSHOT_WRITTEN.test(text)) snapshotWrittenAt ??= Date.now();
    if (/^Reusing the sample/m.test(text)) reused = true;
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) say(`    ${line}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = (await child).exitCode;
  const finished = Date.now();
  const samples = sampler.stop();
  if (code !== 0) {
    throw new Error(`The sample platform's make-sample failed for ${accounts} accounts (exit ${code}):\n${output.join('').split('\n').slice(-15).join('\n')}`);
  }
  const snapshot = join(dir, 'snapshot.db');
  const productionResult = join(dir, 'production-result.db');
  let generate: GenerateFigures | undefined;
  if (!reused && snapshotWrittenAt !== undefined) {
    const wholeTree = (s: (typeof samples)[number]): number => s.processKb + s.descendantsKb;
    generate = {
      measuredAt: new Date(started).toISOString(),
      ms: snapshotWrittenAt - started,
      peakMb: peakIn(samples, started, snapshotWrittenAt, wholeTree) / 1024,
      productionBillRunMs: finished - snapshotWrittenAt,
      productionBillRunPeakMb: peakIn(samples, snapshotWrittenAt, finished, wholeTree) / 1024,
    };
    writeFileSync(figuresFile, `${JSON.stringify(generate, null, 2)}\n`);
  } else if (existsSync(figuresFile)) {
    generate = { ...(JSON.parse(readFileSync(figuresFile, 'utf8')) as GenerateFigures), cached: true };
  }
  return {
    accounts,
    dir,
    snapshot,
    productionResult,
    snapshotMb: statSync(snapshot).size / 1024 / 1024,
    ...(generate !== undefined ? { generate } : {}),
  };
}
