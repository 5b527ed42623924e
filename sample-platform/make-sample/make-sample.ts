import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { fileSha256 } from '../../src/run/file-sha256.js';
import { billInIsolation } from '../control/bill-in-isolation.js';
import { assertCanIsolate } from '../control/isolated-service.js';
import { prepareCapture, waitForCaptureToEnd } from '../control/capture.js';
import { GENERATOR_VERSION, generateSnapshot, validateSnapshotOptions } from '../generator/generate.js';
import { PRODUCTION_BILL_RUN_CONFIGURATION } from '../generator/catalogue.js';

/** Runs the billing service behind capture servers inside its namespace. */
const CAPTURING_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'control', 'service-with-capture.ts');

export interface MakeSampleOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  /** Folder that receives snapshot.db, production-result.db, production-ledger.jsonl and sample.json. */
  readonly out: string;
  readonly progress?: (line: string) => void;
}

export interface SampleFiles {
  readonly snapshot: string;
  readonly productionResult: string;
  /** What production's bill run sent (mail, charges, provisioning), as the capture server recorded it. */
  readonly productionLedger: string;
  /** True when matching files from an earlier run were kept as they were. */
  readonly reused: boolean;
}

/** Size and sha256 of a file the generator wrote, so it can later prove the file is still its own. */
interface FileSignature {
  readonly size: number;
  readonly sha256: string;
}

/**
 * What sample.json records: the options the files were made with, so a later run knows whether
 * they still match, and the signature of each file, so the generator replaces only files it can
 * prove it wrote itself.
 */
export interface SampleDescription {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  readonly generatorVersion: number;
  /** When snapshot.db was complete, as a backup job records when its backup finished (ISO 8601). */
  readonly takenAt?: string;
  readonly files?: Readonly<Record<string, FileSignature>>;
}

const SNAPSHOT_NAME = 'snapshot.db';
const PRODUCTION_RESULT_NAME = 'production-result.db';
const PRODUCTION_LEDGER_NAME = 'production-ledger.jsonl';

export function readDescription(path: string): SampleDescription | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as SampleDescription) : undefined;
  } catch {
    return undefined;
  }
}

export function sameSample(a: SampleDescription | undefined, b: SampleDescription): boolean {
  return a !== undefined && a.accounts === b.accounts && a.seed === b.seed && a.billDate === b.billDate && a.generatorVersion === b.generatorVersion;
}

export function signatureOf(path: string): FileSignature {
  return { size: statSync(path).size, sha256: fileSha256(path) };
}

/** True when the file is exactly what sample.json says the generator wrote (size first: it is free). */
function isOwnFile(path: string, signature: FileSignature | undefined): boolean {
  if (signature === undefined || typeof signature.sha256 !== 'string' || statSync(path).size !== signature.size) return false;
  return fileSha256(path) === signature.sha256;
}

/**
 * Throws unless every file that would be replaced is provably the generator's own output. A
 * snapshot.db without the generator's signature may be a real backup someone pointed a plan at.
 */
export function assertMayReplace(out: string, description: SampleDescription | undefined): void {
  const foreign = [SNAPSHOT_NAME, PRODUCTION_RESULT_NAME, PRODUCTION_LEDGER_NAME].filter((name) => {
    const path = join(out, name);
    return existsSync(path) && !isOwnFile(path, description?.files?.[name]);
  });
  if (foreign.length === 0) return;
  const why = description?.files === undefined
    ? 'there is no sample.json signature of this generator beside them'
    : 'they differ from the files this generator wrote there (sample.json records their size and sha256)';
  throw new UserError(
    `Refusing to replace ${foreign.map((name) => join(out, name)).join(' and ')}: ${why}, so they may be a real backup or another tool's output. ` +
      'Nothing was changed. Delete the folder yourself if it only holds an old sample, or point the plan (sample/snapshot.path) or --out at an empty folder.',
  );
}

/**
 * Makes a sample: a generated pre-bill-run snapshot plus a copy of it billed by the production
 * release, the way production itself ran (mail, payments and provisioning on), in a network
 * namespace of its own. Reuses earlier files when they were made with the same options.
 */
export async function makeSample(options: MakeSampleOptions): Promise<SampleFiles> {
  validateSnapshotOptions(options);
  const say = options.progress ?? (() => undefined);
  const out = resolve(options.out);
  const snapshot = join(out, SNAPSHOT_NAME);
  const productionResult = join(out, PRODUCTION_RESULT_NAME);
  const productionLedger = join(out, PRODUCTION_LEDGER_NAME);
  const descriptionFile = join(out, 'sample.json');
  const wanted: SampleDescription = {
    accounts: options.accounts, seed: options.seed, billDate: options.billDate, generatorVersion: GENERATOR_VERSION,
  };

  const described = readDescription(descriptionFile);
  if (existsSync(snapshot) && existsSync(productionResult) && existsSync(productionLedger) && sameSample(described, wanted)) {
    say(`Reusing the sample in ${out}: it was made with the same accounts, seed, bill date and generator version.`);
    return { snapshot, productionResult, productionLedger, reused: true };
  }
  assertMayReplace(out, described);
  assertCanIsolate();
  if (described !== undefined && existsSync(snapshot)) {
    say(`Replacing the sample in ${out} (made with ${described.accounts} accounts, seed ${described.seed}, bill date ${described.billDate}): its files are this generator's own.`);
  }
  mkdirSync(out, { recursive: true });
  // Both files are made beside the old ones and replace them together at the end, with their new
  // signature: a failure half-way leaves the old sample whole and still provably the generator's.
  const partialSnapshot = `${snapshot}.partial`;
  const partialResult = `${productionResult}.partial`;
  const partialLedger = `${productionLedger}.partial`;
  const partialDescription = `${descriptionFile}.partial`;
  const socketDir = mkdtempSync(join(tmpdir(), 'sample-billing-'));
  try {
    for (const partial of [partialSnapshot, partialLedger]) rmSync(partial, { force: true });
    say(`Generating ${options.accounts} accounts (seed ${options.seed}, bill date ${options.billDate})...`);
    const generatedAt = Date.now();
    generateSnapshot({ accounts: options.accounts, seed: options.seed, billDate: options.billDate, out: partialSnapshot });
    const takenAt = new Date().toISOString();
    say(`Snapshot written in ${((Date.now() - generatedAt) / 1000).toFixed(1)} s`);

    copyFileSync(partialSnapshot, partialResult);
    say('Billing a copy with the production release (7.4.2) inside a fresh network namespace, its mail, charges and provisioning captured...');
    const capture = await prepareCapture(partialResult, partialLedger, join(socketDir, 'capture'));
    let lastReported = -1;
    const result = await billInIsolation({
      db: partialResult,
      socket: join(socketDir, 'control.sock'),
      release: 'production',
      log: join(out, 'production-service.log'),
      entry: CAPTURING_ENTRY,
      env: capture.env,
      privateMounts: true,
      // The capture server starts first, and on a loaded machine a node process takes a while.
      readyTimeoutMs: 90_000,
      settings: { billDate: options.billDate, emailInvoices: true, chargeAutoPay: true, provision: true, settings: PRODUCTION_BILL_RUN_CONFIGURATION },
      onProgress: (processed, total) => {
        const percent = total === 0 ? 100 : Math.floor((processed * 100) / total / 10) * 10;
        if (percent !== lastReported) say(`  ${processed}/${total} accounts billed`);
        lastReported = percent;
      },
    });
    if (result.state !== 'completed' || result.exit.code !== 0) {
      throw new UserError(
        `The production bill run did not complete (state ${result.state}${result.error ? `: ${result.error}` : ''}, ` +
          `service exit ${result.exit.code}). See ${join(out, 'production-service.log')}.`,
      );
    }
    await waitForCaptureToEnd(capture.pidFile);
    say(`Production bill run ${result.billRunId} billed ${result.processed} accounts`);
    const signed: SampleDescription = {
      ...wanted,
      takenAt,
      files: { [SNAPSHOT_NAME]: signatureOf(partialSnapshot), [PRODUCTION_RESULT_NAME]: signatureOf(partialResult), [PRODUCTION_LEDGER_NAME]: signatureOf(partialLedger) },
    };
    writeFileSync(partialDescription, `${JSON.stringify(signed, null, 2)}\n`);
    renameSync(partialSnapshot, snapshot);
    renameSync(partialResult, productionResult);
    renameSync(partialLedger, productionLedger);
    renameSync(partialDescription, descriptionFile);
  } finally {
    for (const partial of [partialSnapshot, partialResult, partialLedger, partialDescription]) rmSync(partial, { force: true });
    rmSync(socketDir, { recursive: true, force: true });
  }
  return { snapshot, productionResult, productionLedger, reused: false };
}
