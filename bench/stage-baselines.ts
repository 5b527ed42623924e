import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchmarkBatchSizes, benchmarkSanitize } from './sanitize.js';
import { benchmarkRoundTrips } from './round-trip/measure.js';
import { MASKING_TO_JS_CALL_GOAL, ROW_BY_ROW_SPEEDUP_GOAL, SANITIZE_GOAL_BASELINE } from './goals.js';
import { benchmarkVerify } from './verify.js';
import type { StageFigures } from './results.js';

type Baseline = NonNullable<StageFigures['baseline']>;
export interface StageBaseline {
  readonly baseline: Baseline;
  readonly notes: string[];
  readonly alternative?: StageFigures['alternative'];
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Floor for sanitize's masking: the same rows and columns rewritten at the same length through a
 * JavaScript function that does nothing (bench/sanitize.ts, the sanitize module's own benchmark,
 * on a copy of its own). The other baselines it times stay in the notes. Then row by row against
 * set-based on a slice, each statement a request to a server across a veth link (needs root, as
 * the rest of the bench does).
 */
export async function sanitizeBaseline(snapshot: string, workDir: string): Promise<StageBaseline> {
  const dir = join(workDir, 'bench-sanitize');
  mkdirSync(dir, { recursive: true });
  try {
    const result = await benchmarkSanitize(snapshot, dir);
    const sweep = await benchmarkBatchSizes(snapshot, dir);
    const link = await benchmarkRoundTrips(snapshot, dir);
    return {
      baseline: { name: SANITIZE_GOAL_BASELINE, ms: result.jsCallMs },
      alternative: { name: `row by row over TCP (round trip ${link.roundTripMs.toFixed(3)} ms, ${link.rows.toLocaleString('en-US')} rows)`, ms: link.rowByRowMs, setBasedMs: link.setBasedMs },
      notes: [
        `bench/sanitize.ts on its own copy: the rules' UPDATEs ${seconds(result.sanitizeMs)} s = ${result.sanitizeToJsCall.toFixed(2)}× the do-nothing-function rewrite (goal ≤ ${MASKING_TO_JS_CALL_GOAL}×); ` +
          `that rewrite with the keyed hash of each value computed in its call (the part no masking avoids) ${seconds(result.hashOnlyMs)} s = ${result.hashOnlyToJsCall.toFixed(2)}× it, the rules ${result.sanitizeToHashOnly.toFixed(2)}× that; ` +
          `for information ${result.sanitizeToNoOp.toFixed(2)}× a no-op rewrite (SET c = c, ${seconds(result.noOpMs)} s), ${result.sanitizeToSameLength.toFixed(2)}× upper(c) (${seconds(result.sameLengthMs)} s); ` +
          `plus ${seconds(result.setupMs)} s filling the fake-value tables once`,
        `row by row over a veth link and TCP to a server in a namespace of its own (median round trip ${link.roundTripMs.toFixed(3)} ms, nothing added): ` +
          `${seconds(link.rowByRowMs)} s against ${seconds(link.setBasedMs)} s set-based on the same ${link.rows.toLocaleString('en-US')} rows = ${link.rowByRowToSetBased.toFixed(1)}× (goal ≥ ${ROW_BY_ROW_SPEEDUP_GOAL}×); ` +
          `in-process, with no round trip, ${result.rowByRowToSanitize.toFixed(1)}×`,
        `masking in batches (each its own transaction) against one statement per table (${seconds(sweep.oneStatementMs)} s): ` +
          sweep.batches.map((b) => `${b.rows.toLocaleString('en-US')} rows ${b.toOneStatement.toFixed(2)}×`).join(', '),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
