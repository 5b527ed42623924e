// `node --import tsx bench/outbound-memory.ts [accounts]`: peak memory of the outbound differential
// on two synthetic ledgers (production's and a rehearsal's) of that many accounts, without a
// rehearsal: a million-account run takes hours on a shared machine, the ledgers a minute.
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownPeakKb, resetOwnPeak } from './process-memory.js';
import { OutboundKeys, outboundFromLedger } from '../src/checks/outbound-record.js';
import { checkOutboundMail, maskedRecipients } from '../src/checks/outbound-mail.js';
import { checkOutboundPayments } from '../src/checks/outbound-payments.js';
import { checkOutboundProvisioning } from '../src/checks/outbound-provisioning.js';
import type { DatabaseEngine } from '../src/engine/types.js';
import { sqliteDialect } from '../src/sql/dialect.js';
import { Profile } from '../src/platform/profile.js';
import { loadAdapter } from '../src/platform/load-adapter.js';
import { Attribution } from '../src/sinkholes/attribution.js';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';

const accounts = Number(process.argv[2] ?? 1_000_000);
const adapter = loadAdapter(join(PROJECT_ROOT, 'platforms/sample'));
const profile = new Profile(adapter);
const naming = { attribution: new Attribution(adapter.outbound), processorByHost: new Map([['api.stripe.com', 'stripe']]), switchTargets: ['192.0.2.10:2208'] };
const productionAddress = (i: number): string => `first.last${i}@customer${i % 977}.example`;
const maskedAddress = (i: number): string => `m${i.toString(36)}x@rehearsal.invalid`;

/** Five in six accounts mailed, one in three charged, one in four provisioned: the sample's proportions, roughly. */
function writeLedger(file: string, address: (i: number) => string): void {
  const fd = openSync(file, 'w');
  let text = '';
  for (let i = 0; i < accounts; i++) {
    const account = `ACC-${String(i).padStart(7, '0')}`;
    const invoice = `INV-2026-11-01-${account}`;
    const base = { time: '2026-11-01T00:00:01.123Z', peer: { address: '10.0.0.2', port: 40000 + (i % 20000) }, account };
    if (i % 6 !== 5) text += `${JSON.stringify({ ...base, kind: 'mail', destination: { host: 'mail.example', address: '127.77.0.2', port: 25, protocol: 'tcp' }, from: 'billing@northwind.example', to: [address(i)], subject: `Invoice ${invoice}`, sizeBytes: 1834 })}\n`;
    if (i % 3 === 0) text += `${JSON.stringify({ ...base, kind: 'payment', destination: { host: 'api.stripe.com', address: '127.77.0.3', port: 443, protocol: 'tcp' }, method: 'POST', path: '/v1/charges', amountCents: 1000 + (i % 5000), currency: 'usd', invoice, last4: '4242', approved: true, transactionId: `ch_${i.toString(36)}` })}\n`;
    if (i % 4 === 0) {
      const line = `PROVISION account=${account} package=VOICE action=activate\n`;
      const bytes = Buffer.from(line);
      text += `${JSON.stringify({ ...base, kind: 'provisioning', destination: { host: '192.0.2.10', address: '192.0.2.10', port: 2208, protocol: 'tcp' }, service: 'BroadWorks OCI-P', firstBytes: { length: bytes.length, hex: bytes.toString('hex'), text: line } })}\n`;
    }
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text);
  closeSync(fd);
}

/** The contact rows maskedRecipients reads: the same contact ids, each side's address. */
function contacts(address: (i: number) => string): DatabaseEngine {
  return {
    dialect: sqliteDialect,
    async *stream() {
      for (let i = 0; i < accounts; i++) yield { contact_id: i, account_number: '', email: address(i) };
    },
  } as unknown as DatabaseEngine;
}

const dir = mkdtempSync(join(tmpdir(), 'rehearsal-outbound-memory-'));
try {
  const production = join(dir, 'production.jsonl');
  const rehearsal = join(dir, 'rehearsal.jsonl');
  writeLedger(production, productionAddress);
  writeLedger(rehearsal, maskedAddress);
  resetOwnPeak();
  const startMb = ownPeakKb() / 1024;
  const started = performance.now();
  const keys = new OutboundKeys();
  const sent = outboundFromLedger(rehearsal, naming, undefined, keys);
  const productionSent = outboundFromLedger(production, naming, undefined, keys);
  const loadedMb = ownPeakKb() / 1024;
  const masked = await maskedRecipients(contacts(maskedAddress), contacts(productionAddress), productionSent, profile);
  const none = async function* (): AsyncIterable<never> {};
  const results = [checkOutboundMail(sent, productionSent, masked, true), await checkOutboundPayments(sent, productionSent, none(), true), checkOutboundProvisioning(sent, productionSent, true)];
  const failed = results.filter((r) => r.status !== 'passed').map((r) => `${r.id}: ${r.summary}`);
  if (failed.length > 0) throw new Error(`the synthetic ledgers should compare equal: ${failed.join('; ')}`);
  process.stdout.write(
    `${accounts.toLocaleString('en-US')} accounts: ${((performance.now() - started) / 1000).toFixed(1)} s; peak ${(ownPeakKb() / 1024).toFixed(0)} MB (${startMb.toFixed(0)} MB at start, ${loadedMb.toFixed(0)} MB with both records read)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
