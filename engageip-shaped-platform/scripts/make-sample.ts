#!/usr/bin/env -S npx tsx
// Thin entry point: makes <out>/snapshot.db, production-result.db and production-ledger.jsonl (make-sample/make-sample.ts).
import { argv, echo } from 'zx';
import { UserError } from '../../src/errors.js';
import { makeSample } from '../make-sample/make-sample.js';

const usage = 'usage: tsx engageip-shaped-platform/scripts/make-sample.ts --accounts 300 --seed 7 --bill-date 2026-11-01 --out samples/engageip-shaped-300';

try {
  if (argv.out === undefined || argv.accounts === undefined || argv.seed === undefined || argv['bill-date'] === undefined) throw new UserError(`Missing an option. ${usage}`);
  await makeSample({ accounts: Number(argv.accounts), seed: Number(argv.seed), billDate: String(argv['bill-date']), out: String(argv.out), progress: (line) => echo(line) });
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  echo(error.message);
  process.exitCode = error.exitCode;
}
