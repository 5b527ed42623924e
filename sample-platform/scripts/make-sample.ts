#!/usr/bin/env -S npx tsx
// Thin entry point: makes <out>/snapshot.db and <out>/production-result.db (see make-sample/make-sample.ts).
import { argv, echo } from 'zx';
import { UserError } from '../../src/errors.js';
import { makeSample } from '../make-sample/make-sample.js';

const usage =
  'usage: tsx sample-platform/scripts/make-sample.ts --accounts 2000 --seed 42 --bill-date 2026-11-01 --out samples/sample-2000';

try {
  if (argv.out === undefined || argv.accounts === undefined || argv.seed === undefined || argv['bill-date'] === undefined) {
    throw new UserError(`Missing an option. ${usage}`);
  }
  const files = await makeSample({
    accounts: Number(argv.accounts),
    seed: Number(argv.seed),
    billDate: String(argv['bill-date']),
    out: String(argv.out),
    progress: (line) => echo(line),
  });
  echo(`snapshot:          ${files.snapshot}`);
  echo(`production result: ${files.productionResult}`);
  echo(`production ledger: ${files.productionLedger}`);
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  echo(error.message);
  process.exitCode = error.exitCode;
}
