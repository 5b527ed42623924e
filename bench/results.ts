import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_SCHEMA_VERSION = 1;

export interface GenerateFigures {
  readonly measuredAt: string;
  /** make-sample until the snapshot was written: the generator itself. */
  readonly ms: number;
  readonly peakMb: number;
  /** The rest of make-sample: production's own bill run on the old release (the stand-in platform). */
  readonly productionBillRunMs: number;
  readonly productionBillRunPeakMb: number;
  /** True when the sample was reused and these figures are from the run that generated it. */
  readonly cached?: boolean;
}

export interface StageFigures {
  readonly name: string;
  readonly ms: number;
  /** Date.now() at the stage's start and end, to attribute memory samples of other processes. */
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Exact peak resident memory of the rehearsal process during the stage (VmHWM, reset before it). */
  readonly peakMb: number;
  /** Sampled peak of the processes the rehearsal started (sinkholes, the platform's billing service). */
  readonly childrenPeakMb?: number;
  readonly baseline?: { readonly name: string; readonly ms: number };
  /**
   * The part of the stage its ratio goal is about, when that is not the whole stage: sanitize's
   * goal judges the masking UPDATEs against their baseline, not the PII proof that follows them.
   */
  readonly judged?: { readonly name: string; readonly ms: number };
  /**
   * A slower way of doing the stage's work that it must beat by a factor, both timed on the same
   * rows: for sanitize, row by row against set-based over a real network round trip.
   */
  readonly alternative?: { readonly name: string; readonly ms: number; readonly setBasedMs: number };
  readonly detail?: string;
  /** Extra figures a stage's own benchmark module reports (e.g. masking alone against the no-op). */
  readonly notes?: readonly string[];
}

export interface SizeResult {
  readonly accounts: number;
  readonly snapshotMb: number;
  readonly generate?: GenerateFigures;
  readonly verdict?: string;
  /** 1-minute load average before and after the rehearsal: other work on the machine skews the figures. */
  readonly loadAverage: readonly [number, number];
  readonly stages: readonly StageFigures[];
  readonly error?: string;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly kernel: string;
  readonly node: string;
}

export interface SourceState {
  readonly commit: string;
  /** Files with uncommitted changes when the bench ran (the working tree measured, not only the commit). */
  readonly uncommitted: readonly string[];
}

export interface BenchResults {
  readonly schemaVersion: number;
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seed: number;
  readonly machine: MachineInfo;
  readonly source: SourceState;
  readonly sizes: readonly SizeResult[];
}

export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** The figures BENCHMARKS.md shows: for every size, the newest run that measured it without error. */
export interface LatestSize {
  readonly run: BenchResults;
  readonly size: SizeResult;
}

export function latestPerSize(dir: string): LatestSize[] {
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResults)
    .filter((r) => r.schemaVersion === RESULTS_SCHEMA_VERSION)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const latest = new Map<number, LatestSize>();
  for (const run of runs) for (const size of run.sizes) if (size.error === undefined) latest.set(size.accounts, { run, size });
  return [...latest.values()].sort((a, b) => a.size.accounts - b.size.accounts);
}
