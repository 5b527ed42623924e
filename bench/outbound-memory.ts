// `node --import tsx bench/outbound-memory.ts [accounts]`: peak memory of the outbound differential
// on two synthetic ledgers (production's and a rehearsal's) of that many accounts, without a
// rehearsal: a million-account run takes hours on a shared machine, the ledgers a minute.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownPeakKb, resetOwnPeak } from './process-memory.js';
import { compareSyntheticLedgers, maskedAddress, productionAddress, writeSyntheticLedger } from './outbound-synthetic.js';

const accounts = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'rehearsal-outbound-memory-'));
try {
  const production = join(dir, 'production.jsonl');
  const rehearsal = join(dir, 'rehearsal.jsonl');
  writeSyntheticLedger(production, accounts, productionAddress);
  writeSyntheticLedger(rehearsal, accounts, maskedAddress);
  resetOwnPeak();
  const startMb = ownPeakKb() / 1024;
  const started = performance.now();
  let loadedMb = 0;
  const results = await compareSyntheticLedgers(rehearsal, production, accounts, () => (loadedMb = ownPeakKb() / 1024));
  const failed = results.filter((r) => r.status !== 'passed').map((r) => `${r.id}: ${r.summary}`);
  if (failed.length > 0) throw new Error(`the synthetic ledgers should compare equal: ${failed.join('; ')}`);
  process.stdout.write(
    `${accounts.toLocaleString('en-US')} accounts: ${((performance.now() - started) / 1000).toFixed(1)} s; peak ${(ownPeakKb() / 1024).toFixed(0)} MB (${startMb.toFixed(0)} MB at start, ${loadedMb.toFixed(0)} MB with both records read)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
