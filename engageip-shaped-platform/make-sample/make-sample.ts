import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../../src/errors.js';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { prepareCaptureOf, waitForCaptureToEnd } from '../../sample-platform/control/capture.js';
import { assertCanIsolate } from '../../sample-platform/control/isolated-service.js';
import { assertMayReplace, readDescription, sameSample, signatureOf, type SampleDescription } from '../../sample-platform/make-sample/make-sample.js';
import { GENERATOR_VERSION, generateSnapshot, validateGenerateOptions } from '../generator/generate.js';
import { billProduction } from './bill-production.js';
import { hostsInSystemSettings } from './capture-hosts.js';

export interface MakeSampleOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  readonly out: string;
  readonly progress?: (line: string) => void;
}

const ADAPTER_DIR = resolve(import.meta.dirname, '..', '..', 'platforms', 'engageip-shaped');

/**
 * Writes <out>/snapshot.db, production-result.db (the snapshot billed by the production release
 * inside a namespace of its own, mail, charges and provisioning sent to capture servers) and
 * production-ledger.jsonl (what it sent), with sample.json signing all three. Reuses a sample made
 * with the same options and refuses (exit 2) to replace files it cannot prove it wrote.
 */
export async function makeSample(options: MakeSampleOptions): Promise<{ reused: boolean }> {
  validateGenerateOptions(options);
  const say = options.progress ?? (() => undefined);
  const out = resolve(options.out);
  const names = { snapshot: 'snapshot.db', result: 'production-result.db', ledger: 'production-ledger.jsonl', description: 'sample.json' };
  const path = (name: string): string => join(out, name);
  const wanted: SampleDescription = { accounts: options.accounts, seed: options.seed, billDate: options.billDate, generatorVersion: GENERATOR_VERSION };
  const described = readDescription(path(names.description));
  if ([names.snapshot, names.result, names.ledger].every((n) => existsSync(path(n))) && sameSample(described, wanted)) {
    say(`Reusing the sample in ${out}: it was made with the same users, seed, bill date and generator version.`);
    return { reused: true };
  }
  assertMayReplace(out, described);
  assertCanIsolate();
  mkdirSync(out, { recursive: true });
  const partial = (name: string): string => `${path(name)}.partial`;
  const workDir = mkdtempSync(join(tmpdir(), 'engageip-shaped-capture-'));
  try {
    say(`Generating ${options.accounts} users (seed ${options.seed}, bill date ${options.billDate})...`);
    generateSnapshot({ accounts: options.accounts, seed: options.seed, billDate: options.billDate, out: partial(names.snapshot) });
    const takenAt = new Date().toISOString();
    copyFileSync(partial(names.snapshot), partial(names.result));
    say('Billing a copy with the production release (8.4.2) inside a fresh network namespace, its mail, charges and provisioning captured...');
    const capture = await prepareCaptureOf(hostsInSystemSettings(partial(names.result)), loadAdapter(ADAPTER_DIR).outbound, partial(names.ledger), workDir);
    let reported = -1;
    const result = await billProduction({
      db: partial(names.result),
      billDate: options.billDate,
      log: path('production-service.log'),
      env: capture.env,
      timeoutMs: 600_000,
      onProgress: (processed, total) => {
        const tenth = total === 0 ? 10 : Math.floor((processed * 10) / total);
        if (tenth !== reported) say(`  ${processed}/${total} users billed`);
        reported = tenth;
      },
    });
    if (result.Status !== 'Completed') {
      throw new UserError(`The production bill run did not complete (request ${result.Status}${result.ErrorMessage ? `: ${result.ErrorMessage}` : ''}, service exit ${result.exitCode}). See ${path('production-service.log')}.`);
    }
    await waitForCaptureToEnd(capture.pidFile);
    say(`Production billed ${result.Processed} users`);
    const signed: SampleDescription = {
      ...wanted,
      takenAt,
      files: { [names.snapshot]: signatureOf(partial(names.snapshot)), [names.result]: signatureOf(partial(names.result)), [names.ledger]: signatureOf(partial(names.ledger)) },
    };
    writeFileSync(partial(names.description), `${JSON.stringify(signed, null, 2)}\n`);
    for (const name of Object.values(names)) renameSync(partial(name), path(name));
  } finally {
    for (const name of Object.values(names)) rmSync(partial(name), { force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
  return { reused: false };
}
