import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Fragment } from '../sql/fragment.js';
import { splitBatches } from '../sql/go-batches.js';
import type { DatabaseEngine } from '../engine/types.js';
import { assertRunMarker } from '../run/marker.js';
import { UserError } from '../errors.js';

export interface VendorBatchResult {
  readonly file: string;
  /** 1-based position of the batch in its file. */
  readonly batch: number;
  readonly startLine: number;
  /** Summed over the batch's statements and its `GO n` repetitions. */
  readonly rowsAffected: number;
}

/**
 * Runs vendor sanitization scripts in the order given, batch by batch as sqlcmd would, on the
 * run's own copy only. The scripts are the vendor's code and run as written; nothing from the
 * plan is spliced into them.
 */
export async function runVendorScripts(
  engine: DatabaseEngine,
  runId: string,
  files: readonly string[],
  onBatch: (result: VendorBatchResult) => void = () => {},
): Promise<VendorBatchResult[]> {
  await assertRunMarker(engine, runId, 'run vendor sanitize scripts');
  const batchesByFile = files.map((file) => ({ file, batches: splitBatches(readScript(file), file) }));
  const results: VendorBatchResult[] = [];
  for (const { file, batches } of batchesByFile) {
    for (const [index, batch] of batches.entries()) {
      let rowsAffected = 0;
      for (let run = 0; run < batch.repeat; run++) {
        try {
          rowsAffected += (await engine.exec(new Fragment([batch.text], []))).rowsAffected;
        } catch (error) {
          throw batchError(error, file, index + 1, batch.startLine);
        }
      }
      const result = { file, batch: index + 1, startLine: batch.startLine, rowsAffected };
      results.push(result);
      onBatch(result);
    }
  }
  return results;
}

/** SSMS saves scripts as UTF-16 with a byte-order mark as often as UTF-8; honour either. */
export function readScript(file: string): string {
  const bytes = readFileSync(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

function batchError(error: unknown, file: string, batch: number, startLine: number): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  // SQL Server numbers lines from the start of the batch it received
  const batchLine = (error as { lineNumber?: unknown }).lineNumber;
  const line = typeof batchLine === 'number' && batchLine > 0 ? startLine + batchLine - 1 : startLine;
  const failure = new UserError(
    `Vendor script ${basename(file)} failed in batch ${batch} at line ${line} (${file}:${line}): ${error.message} ` +
      'The batches before it ran and stay applied; fix the script or the copy, then restore a fresh copy and run again.',
  );
  failure.cause = error;
  return failure;
}
