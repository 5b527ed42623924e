import type { RecordedPaymentRow } from '../../../src/platform/rows.js';
import { formatCents } from '../../../src/checks/money.js';
import { DifferenceLog } from '../../../src/checks/outbound-differences.js';
import type { OutboundRecord } from '../../../src/checks/outbound-record.js';
import type { CheckResult } from '../../../src/checks/types.js';

/** `ledger-payments-recorded` as it was before its columns: a Map of objects per invoice on both sides. */
export async function comparePaymentsRecorded(sent: OutboundRecord, recordedPayments: AsyncIterable<RecordedPaymentRow>): Promise<CheckResult> {
  const base = { id: 'ledger-payments-recorded', title: 'Every approved charge is a recorded payment, and every recorded payment was approved' };
  const approved = new Map<string, { account: string | undefined; amounts: number[] }>();
  let approvals = 0;
  for (const invoice of sent.chargedInvoices()) {
    for (const charge of sent.chargesOf(invoice)) {
      if (!charge.approved) continue;
      approvals++;
      const entry = approved.get(invoice) ?? { account: charge.account, amounts: [] };
      entry.amounts.push(charge.amountCents ?? Number.NaN);
      approved.set(invoice, entry);
    }
  }
  const log = new DifferenceLog();
  let recorded = 0;
  const recordedByInvoice = new Map<string, { account: string; amounts: number[] }>();
  for await (const row of recordedPayments) {
    recorded++;
    const entry = recordedByInvoice.get(row.invoice_number) ?? { account: row.account_number, amounts: [] };
    entry.amounts.push(row.amount);
    recordedByInvoice.set(row.invoice_number, entry);
  }
  for (const invoice of [...new Set([...approved.keys(), ...recordedByInvoice.keys()])].sort()) {
    const charged = [...(approved.get(invoice)?.amounts ?? [])].sort((a, b) => a - b);
    const booked = [...(recordedByInvoice.get(invoice)?.amounts ?? [])].sort((a, b) => a - b);
    const account = recordedByInvoice.get(invoice)?.account ?? approved.get(invoice)?.account;
    const row = { invoice, approved: charged.map((c) => formatCents(c)).join(', ') || 'none', recorded: booked.map((c) => formatCents(c)).join(', ') || 'none' };
    if (booked.length < charged.length) log.add(account, 'approved, not recorded as a payment', row);
    else if (booked.length > charged.length) log.add(account, 'payment recorded without an approval', row);
    else if (charged.some((c, i) => c !== booked[i])) log.add(account, 'recorded amount differs from the approved charge', row);
  }
  return log.result(base, `${approvals} approved charge(s), ${recorded} recorded payment(s): each approval is a payment of the same amount on its invoice`, [
    { 'approved charges': approvals, 'recorded payments': recorded },
  ]);
}
