/**
 * The sanitize and verify floors, measured in a process of their own (bench/worker-process.ts):
 * they read whole databases and ledgers, and in the rehearsal's process what they left behind
 * (the heap grown by parsing both ledgers twice, SQLite's caches) was counted in the peak of the
 * stage after them: verify at 1M peaked some 150 MB higher than `rehearse verify` alone.
 * Timing is unchanged: the page cache they warm is the machine's, not the process's.
 */
import { writeFileSync } from 'node:fs';
import { readLedgers, scanEveryTable } from './verify.js';
import { sanitizeBaseline, verifyBaseline, type StageBaseline } from './stage-baselines.js';

export type FloorsInput =
  | { readonly kind: 'sanitize'; readonly resultFile: string; readonly snapshot: string; readonly workDir: string }
  | {
      readonly kind: 'verify';
      readonly resultFile: string;
      readonly billed: string;
      readonly productionResult: string;
      readonly billDate: string;
      /** The billed copy, the copy before the bill run and production's masked result. */
      readonly databases: readonly string[];
      readonly ledgers: readonly (string | undefined)[];
    };

export interface VerifyFloors {
  readonly production: StageBaseline;
  /** Every table of the three databases the state differential reads, read once. */
  readonly scanMs: number;
  /** Both ledgers read and every line parsed once. */
  readonly readMs: number;
}

export type FloorsOutput = { readonly sanitize?: StageBaseline; readonly verify?: VerifyFloors; readonly error?: string };

async function measure(input: FloorsInput): Promise<FloorsOutput> {
  if (input.kind === 'sanitize') return { sanitize: await sanitizeBaseline(input.snapshot, input.workDir) };
  const production = await verifyBaseline(input.billed, input.productionResult, input.billDate);
  // Each read once unmeasured first, as the comparison after it will find them in the page cache.
  scanEveryTable(input.databases);
  const scanMs = scanEveryTable(input.databases);
  readLedgers(input.ledgers);
  return { verify: { production, scanMs, readMs: readLedgers(input.ledgers) } };
}

const input = JSON.parse(process.argv[2] ?? '{}') as FloorsInput;
try {
  writeFileSync(input.resultFile, JSON.stringify(await measure(input)));
} catch (error) {
  writeFileSync(input.resultFile, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  process.exitCode = 1;
}
