import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchmarkBatchSizes, benchmarkSanitize } from './sanitize.js';
import { benchmarkVerify } from './verify.js';
import type { StageFigures } from './results.js';

type Baseline = NonNullable<StageFigures['baseline']>;
export interface StageBaseline {
  readonly baseline: Baseline;
  readonly notes: string[];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Floor for sanitize: a no-op rewrite of the same columns (`UPDATE t SET c = c`), timed with the
 * masking itself and a row-by-row alternative by bench/sanitize.ts (the sanitize engineer's module).
 */
export async function sanitizeBaseline(snapshot: string, workDir: string): Promise<StageBaseline> {
  const dir = join(workDir, 'bench-sanitize');
  mkdirSync(dir, { recursive: true });
  const result = await benchmarkSanitize(snapshot, dir);
  const sweep = await benchmarkBatchSizes(snapshot, dir);
  rmSync(dir, { recursive: true, force: true });
  return {
    baseline: { name: 'no-op rewrite of the same columns', ms: result.noOpMs },
    notes: [
      `bench/sanitize.ts on its own copy: the rules' UPDATEs ${seconds(result.sanitizeMs)} s = ${result.sanitizeToNoOp.toFixed(2)}× the no-op (goal ≤ 2×), ` +
        `plus ${seconds(result.setupMs)} s filling the fake-value tables once; row by row would take ${result.rowByRowToSanitize.toFixed(0)}× longer (goal ≥ 50×)`,
      `masking in batches (each its own transaction) against one statement per table (${seconds(sweep.oneStatementMs)} s): ` +
        sweep.batches.map((b) => `${b.rows.toLocaleString('en-US')} rows ${b.toOneStatement.toFixed(2)}×`).join(', '),
    ],
  };
}

/**
 * Floor for verify: one full scan of both result databases, timed by bench/verify.ts (the verify
 * module's own benchmark) together with the production diff alone.
 */
export async function verifyBaseline(rehearsalDb: string, productionDb: string, billDate: string): Promise<StageBaseline> {
  const result = await benchmarkVerify(rehearsalDb, productionDb, billDate);
  return {
    baseline: { name: 'full scan of both result tables', ms: result.scanMs },
    notes: [`bench/verify.ts: the production diff alone ${seconds(result.diffMs)} s = ${result.ratio.toFixed(2)}× the scan, peak ${result.peakRssMb.toFixed(0)} MB`],
  };
}
