import type { DatabaseEngine } from '../engine/types.js';
import { billingCurrency, invoicesMarkedMailed, recordedPayments, type MailedInvoiceRow, type RecordedPaymentRow, type SettingRow } from '../profiles/sample-platform.js';
import { OutboundRecord, type OutboundKeys } from './outbound-record.js';

/**
 * What a bill run sent, as the platform's database recorded it: for a production whose bill run
 * no sinkhole saw (a real platform). Payments are the recorded ones (approved charges), mail is
 * each invoice the platform counts as mailed, to its primary contact; provisioning requests are
 * not recorded as such, so the record holds none and says so through `source`.
 */
export async function outboundFromDatabase(engine: DatabaseEngine, billDate: string, keys?: OutboundKeys): Promise<OutboundRecord> {
  const record = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] }, keys);
  record.source = 'database';
  const currency = (await engine.query<SettingRow>(billingCurrency()))[0]?.value.toUpperCase();
  for await (const row of engine.stream<RecordedPaymentRow>(recordedPayments(billDate))) {
    const charge = {
      account: row.account_number,
      invoice: row.invoice_number,
      processor: row.processor ?? '—',
      amountCents: Number(row.amount_cents),
      ...(currency !== undefined ? { currency } : {}),
      approved: true,
    };
    record.addCharge(charge);
  }
  for await (const row of engine.stream<MailedInvoiceRow>(invoicesMarkedMailed(billDate))) {
    if (row.email === null) continue;
    record.addMail(row.account_number, { to: [row.email.toLowerCase()], invoice: row.invoice_number });
  }
  return record;
}
