import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OutboundKeys, outboundFromLedger, type OutboundRecord } from '../src/checks/outbound-record.js';
import { checkOutboundMailFolded, maskedRecipients, type MailReading, type MaskedRecipients } from '../src/checks/outbound-mail.js';
import { MailFold, maskedHashes } from '../src/checks/outbound-mail-fold.js';
import { contactsOf } from '../src/checks/masked-contacts.js';
import { checkOutboundPayments } from '../src/checks/outbound-payments.js';
import { checkOutboundProvisioning } from '../src/checks/outbound-provisioning.js';
import type { DatabaseEngine } from '../src/engine/types.js';
import { sqliteDialect } from '../src/sql/dialect.js';
import { Profile } from '../src/platform/profile.js';
import { loadAdapter } from '../src/platform/load-adapter.js';
import { Attribution } from '../src/sinkholes/attribution.js';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import type { CheckResult } from '../src/checks/types.js';

const adapter = loadAdapter(join(PROJECT_ROOT, 'platforms/sample'));
const profile = new Profile(adapter);
const naming = { attribution: new Attribution(adapter.outbound), processorByHost: new Map([['api.stripe.com', 'stripe']]), switchTargets: ['192.0.2.10:2208'] };
export const productionAddress = (i: number): string => `first.last${i}@customer${i % 977}.example`;
export const maskedAddress = (i: number): string => `m${i.toString(36)}x@rehearsal.invalid`;

/** Five in six accounts mailed, one in three charged, one in four provisioned: the sample's proportions, roughly. */
export function writeSyntheticLedger(file: string, accounts: number, address: (i: number) => string): void {
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
function contacts(accounts: number, address: (i: number) => string): DatabaseEngine {
  return {
    dialect: sqliteDialect,
    async *stream() {
      for (let i = 0; i < accounts; i++) yield { contact_id: i, account_number: '', email: address(i) };
    },
  } as unknown as DatabaseEngine;
}

/** The outbound differential's mail, payment and provisioning checks on the two ledgers, as verify runs them. */
export async function compareSyntheticLedgers(rehearsal: string, production: string, accounts: number, onRead?: () => void): Promise<CheckResult[]> {
  const keys = new OutboundKeys();
  const rehearsalContacts = contacts(accounts, maskedAddress);
  const productionContacts = contacts(accounts, productionAddress);
  const readRehearsal: MailReading = async (mail) => outboundFromLedger(rehearsal, naming, undefined, keys, mail);
  const readProduction: MailReading = async (mail) => outboundFromLedger(production, naming, undefined, keys, mail);
  const fold = new MailFold(true);
  const sent = await readRehearsal({ kind: 'folded', fold, side: 'rehearsal' });
  const productionSent = await readProduction({ kind: 'folded', fold, side: 'production', masked: await maskedHashes(contactsOf(rehearsalContacts, profile), productionContacts, profile) });
  onRead?.();
  const masked = (record: OutboundRecord): Promise<MaskedRecipients> => maskedRecipients(contactsOf(rehearsalContacts, profile), productionContacts, record, profile);
  const none = async function* (): AsyncIterable<never> {};
  return [
    await checkOutboundMailFolded({ rehearsal: sent, production: productionSent, fold }, { rehearsal: readRehearsal, production: readProduction, masked }, true),
    await checkOutboundPayments(sent, productionSent, none(), true),
    checkOutboundProvisioning(sent, productionSent, true),
  ];
}
