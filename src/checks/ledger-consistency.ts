import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { PackageToProvisionRow } from '../platform/rows.js';
import { notConfigured } from './not-configured.js';
import { formatCents } from './money.js';
import { DifferenceLog } from './outbound-differences.js';
import type { OutboundRecord } from './outbound-record.js';
import type { CheckResult } from './types.js';

/**
 * Every charge a sinkhole approved is recorded as a payment of the same amount against its
 * invoice in the billed copy, and every payment recorded against this bill run's invoices had an
 * approval: a customer charged while the books say they owe, or the reverse, fails.
 */
export async function checkPaymentsRecorded(engine: DatabaseEngine, sent: OutboundRecord, billDate: string, profile: Profile): Promise<CheckResult> {
  const base = { id: 'ledger-payments-recorded', title: 'Every approved charge is a recorded payment, and every recorded payment was approved' };
  const unconfigured = notConfigured(profile, base, ['recordedPayments']);
  if (unconfigured !== undefined) return unconfigured;
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
  for await (const row of profile.stream(engine, 'recordedPayments', { billDate })) {
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

/** Every invoice the platform counts as mailed has a message in the ledger that names it. */
export async function checkMailRecorded(engine: DatabaseEngine, sent: OutboundRecord, billDate: string, mailEnabled: boolean, profile: Profile): Promise<CheckResult> {
  const base = { id: 'ledger-mail-recorded', title: 'Every invoice marked mailed reached the mail server' };
  if (!mailEnabled) return { ...base, status: 'skipped', summary: 'invoice e-mail is off in the plan' };
  const unconfigured = notConfigured(profile, base, ['invoicesMarkedMailed']);
  if (unconfigured !== undefined) return unconfigured;
  const log = new DifferenceLog();
  let marked = 0;
  for await (const row of profile.stream(engine, 'invoicesMarkedMailed', { billDate })) {
    marked++;
    if (!sent.mailedInvoice(row.invoice_number)) log.add(row.account_number, 'marked mailed, no message', { invoice: row.invoice_number });
  }
  return log.result(base, `${marked} invoice(s) marked mailed, each with a message naming it`, [{ 'invoices marked mailed': marked, 'invoices with a message': sent.mailedInvoiceCount }]);
}

/**
 * Every package change the platform marked done in this bill run (pending before it, not now)
 * reached a switch: a request for its account that names the package's provisioning code.
 */
export async function checkProvisioningRecorded(engine: DatabaseEngine, sent: OutboundRecord, toProvision: readonly PackageToProvisionRow[] | undefined, profile: Profile): Promise<CheckResult> {
  const base = { id: 'ledger-provisioning-recorded', title: 'Every package change marked done reached a switch' };
  const unconfigured = notConfigured(profile, base, ['packagesToProvision', 'pendingProvisioning']);
  if (unconfigured !== undefined) return unconfigured;
  if (toProvision === undefined) return { ...base, status: 'skipped', summary: 'the pre-bill-run baseline of this run has no list of pending package changes (made before it was kept)' };
  const stillPending = new Set<number>();
  for await (const row of profile.stream(engine, 'pendingProvisioning', {})) stillPending.add(row.id);
  const log = new DifferenceLog();
  let done = 0;
  for (const pkg of toProvision) {
    if (stillPending.has(Number(pkg.user_package_id))) continue;
    done++;
    const requests = sent.provisioningOf(pkg.account_number);
    if (!requests.some((r) => Object.values(r.fields).includes(pkg.provisioning_code))) {
      log.add(pkg.account_number, 'marked done, no request reached a switch', { package: pkg.provisioning_code, requests: requests.length });
    }
  }
  return log.result(base, `${done} package change(s) marked done, each with a request at a switch`, [{ 'pending before': toProvision.length, 'marked done': done }]);
}
