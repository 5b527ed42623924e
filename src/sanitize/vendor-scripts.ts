import { basename } from 'node:path';
import { Fragment } from '../sql/fragment.js';
import { splitBatches, type Batch } from '../sql/go-batches.js';
import { SqliteEngine } from '../engine/sqlite.js';
import type { DatabaseEngine } from '../engine/types.js';
import { assertRunMarker } from '../run/marker.js';
import { UserError } from '../errors.js';
import { MAX_SCRIPT_BYTES, readInputFile } from '../config/input-file.js';

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
  const report = (result: VendorBatchResult): void => {
    results.push(result);
    onBatch(result);
  };
  for (const { file, batches } of batchesByFile) {
    if (engine instanceof SqliteEngine) await runFileOnSqlite(engine, file, batches, report);
    else await runFileOnServer(engine, file, batches, report);
  }
  return results;
}

/** Batch by batch as sqlcmd sends them; a script that wants a transaction opens its own, as in SSMS. */
async function runFileOnServer(engine: DatabaseEngine, file: string, batches: readonly Batch[], report: (result: VendorBatchResult) => void): Promise<void> {
  for (const [index, batch] of batches.entries()) {
    let rowsAffected = 0;
    for (let run = 0; run < batch.repeat; run++) {
      try {
        rowsAffected += (await engine.exec(new Fragment([batch.text], []))).rowsAffected;
      } catch (error) {
        throw batchError(error, file, index + 1, batch.startLine, 'The batches before it ran and stay applied');
      }
    }
    report({ file, batch: index + 1, startLine: batch.startLine, rowsAffected });
  }
}

/**
 * SQLite takes each batch (usually the whole file) as a script of several statements, and the
 * file runs in one transaction: it applies whole or not at all. Such a script must therefore
 * not BEGIN or COMMIT itself.
 */
async function runFileOnSqlite(engine: SqliteEngine, file: string, batches: readonly Batch[], report: (result: VendorBatchResult) => void): Promise<void> {
  const connection = engine.connection;
  const totalChanges = (): number => connection.prepare('SELECT total_changes()').pluck().get() as number;
  const done = await engine.transaction(async () => {
    const ran: VendorBatchResult[] = [];
    for (const [index, batch] of batches.entries()) {
      const before = totalChanges();
      try {
        for (let run = 0; run < batch.repeat; run++) connection.exec(batch.text);
      } catch (error) {
        throw batchError(error, file, index + 1, batch.startLine, 'The whole file was rolled back; earlier files stay applied');
      }
      ran.push({ file, batch: index + 1, startLine: batch.startLine, rowsAffected: totalChanges() - before });
    }
    return ran;
  });
  for (const result of done) report(result);
}

/** SSMS saves scripts as UTF-16 with a byte-order mark as often as UTF-8; honour either. */
export function readScript(file: string): string {
  const bytes = readInputFile(file, 'vendor script', MAX_SCRIPT_BYTES);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

function batchError(error: unknown, file: string, batch: number, startLine: number, whatStays: string): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  // SQL Server numbers lines from the start of the batch it received
  const batchLine = (error as { lineNumber?: unknown }).lineNumber;
  const line = typeof batchLine === 'number' && batchLine > 0 ? startLine + batchLine - 1 : startLine;
  const failure = new UserError(
    `Vendor script ${basename(file)} failed in batch ${batch} at line ${line} (${file}:${line}): ${error.message.replace(/([^.])$/, '$1.')} ` +
      `${whatStays}; fix the script or the copy, then restore a fresh copy and run again.`,
  );
  failure.cause = error;
  return failure;
}
