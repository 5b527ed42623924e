import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { OutboundRecord, type MailKeeping, type OutboundKeys } from './outbound-record.js';

/**
 * What a bill run sent, as the platform's database recorded it: for a production whose bill run
 * no sinkhole saw (a real platform). Payments are the recorded ones (approved charges), mail is
 * each invoice the platform counts as mailed, to its primary contact; provisioning requests are
 * not recorded as such, so the record holds none and says so through `source`.
 */
export async function outboundFromDatabase(engine: DatabaseEngine, billDate: string, profile: Profile, keys?: OutboundKeys, mail?: MailKeeping): Promise<OutboundRecord> {
  const record = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] }, keys, mail);
  record.source = 'database';
  const currency = profile.has('billingCurrency') ? (await profile.query(engine, 'billingCurrency', {}))[0]?.currency.toUpperCase() : undefined;
  const payments = profile.has('recordedPayments') && mail?.kind !== 'only';
  for await (const row of payments ? profile.stream(engine, 'recordedPayments', { billDate }) : []) {
    const charge = {
      account: row.account_number,
      invoice: row.invoice_number,
      processor: row.processor ?? '—',
      amountCents: row.amount,
      ...(currency !== undefined ? { currency } : {}),
      approved: true,
    };
    record.addCharge(charge);
  }
  for await (const row of profile.has('invoicesMarkedMailed') ? profile.stream(engine, 'invoicesMarkedMailed', { billDate }) : []) {
    if (row.email === null) continue;
    record.addMail(row.account_number, { to: [row.email.toLowerCase()], invoice: row.invoice_number });
  }
  return record;
}
