import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { billInIsolation } from '../control/bill-in-isolation.js';
import { prepareCapture, waitForCaptureToEnd } from '../control/capture.js';
import { assertCanIsolate } from '../control/isolated-service.js';
import { GENERATOR_VERSION, generateSnapshot, validateSnapshotOptions } from '../generator/generate.js';

/** Runs the billing service behind capture servers inside its namespace. */
const CAPTURING_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'control', 'service-with-capture.ts');

export interface MakeSampleOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  /** Folder that receives snapshot.db, production-result.db and sample.json. */
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

/** What sample.json records, so a later run knows whether the files still match its options. */
interface SampleDescription {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  readonly generatorVersion: number;
}

function readDescription(path: string): SampleDescription | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SampleDescription;
  } catch {
    return undefined;
  }
}

function sameSample(a: SampleDescription | undefined, b: SampleDescription): boolean {
  return a !== undefined && a.accounts === b.accounts && a.seed === b.seed && a.billDate === b.billDate && a.generatorVersion === b.generatorVersion;
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
  const snapshot = join(out, 'snapshot.db');
  const productionResult = join(out, 'production-result.db');
  const productionLedger = join(out, 'production-ledger.jsonl');
  const descriptionFile = join(out, 'sample.json');
  const wanted: SampleDescription = {
    accounts: options.accounts, seed: options.seed, billDate: options.billDate, generatorVersion: GENERATOR_VERSION,
  };

  if (existsSync(snapshot) && existsSync(productionResult) && existsSync(productionLedger) && sameSample(readDescription(descriptionFile), wanted)) {
    say(`Reusing the sample in ${out}: it was made with the same accounts, seed, bill date and generator version.`);
    return { snapshot, productionResult, productionLedger, reused: true };
  }
  assertCanIsolate();
  mkdirSync(out, { recursive: true });
  // Whatever is there no longer matches; until sample.json is rewritten nothing here counts as a sample.
  rmSync(descriptionFile, { force: true });

  const partialSnapshot = `${snapshot}.partial`;
  rmSync(partialSnapshot, { force: true });
  say(`Generating ${options.accounts} accounts (seed ${options.seed}, bill date ${options.billDate})...`);
  const generatedAt = Date.now();
  generateSnapshot({ accounts: options.accounts, seed: options.seed, billDate: options.billDate, out: partialSnapshot });
  renameSync(partialSnapshot, snapshot);
  say(`Snapshot written in ${((Date.now() - generatedAt) / 1000).toFixed(1)} s: ${snapshot}`);

  const partialResult = `${productionResult}.partial`;
  copyFileSync(snapshot, partialResult);
  const socketDir = mkdtempSync(join(tmpdir(), 'sample-billing-'));
  const partialLedger = `${productionLedger}.partial`;
  rmSync(partialLedger, { force: true });
  say('Billing a copy with the production release (7.4.2) inside a fresh network namespace, its mail, charges and provisioning captured...');
  try {
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
      settings: { billDate: options.billDate, emailInvoices: true, chargeAutoPay: true, provision: true },
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
    renameSync(partialLedger, productionLedger);
    renameSync(partialResult, productionResult);
    say(`Production bill run ${result.billRunId} billed ${result.processed} accounts: ${productionResult}`);
  } finally {
    rmSync(partialResult, { force: true });
    rmSync(partialLedger, { force: true });
    rmSync(socketDir, { recursive: true, force: true });
  }
  writeFileSync(descriptionFile, `${JSON.stringify(wanted, null, 2)}\n`);
  return { snapshot, productionResult, productionLedger, reused: false };
}
