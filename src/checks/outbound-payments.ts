import type { ChargeEligibilityRow } from '../platform/rows.js';
import { formatCents } from './money.js';
import { DifferenceLog, type ExplainOutbound } from './outbound-differences.js';
import { pairedInOrder, type ChargeSent, type OutboundRecord } from './outbound-record.js';
import type { CheckResult } from './types.js';

/**
 * Payments, per invoice: exactly as many charges as production made for it (one, or none), each
 * through the same processor, for the same amount and currency; and no charge at all for an
 * invoice auto-pay must not charge (auto-pay off, expired card, no payment method), whatever
 * production did; the same request (method, path and the body's fields, `capture=false` and the
 * like) where production's ledger has it; and where the charge carries a card's last four, the card
 * is the account's default one. `eligibility` is the rehearsal copy's view of every invoice of this bill run;
 * without it (two releases compared with each other) eligibility is not judged.
 */
export async function checkOutboundPayments(
  rehearsal: OutboundRecord,
  production: OutboundRecord,
  eligibility: AsyncIterable<ChargeEligibilityRow> | undefined,
  chargingEnabled: boolean,
  explain?: ExplainOutbound,
): Promise<CheckResult> {
  const base = { id: 'outbound-payments', title: 'Every invoice was charged as production charged it, and no account auto-pay must not charge' };
  const rehearsalCount = rehearsal.chargeCount;
  const productionCount = production.chargeCount;
  if (!chargingEnabled) {
    return rehearsalCount === 0
      ? { ...base, status: 'skipped', summary: 'auto-pay charging is off in the plan, and no charge reached a gateway' }
      : { ...base, status: 'failed', summary: `auto-pay charging is off in the plan, yet ${rehearsalCount} charge(s) reached a gateway sinkhole` };
  }
  const log = new DifferenceLog(explain);
  // A database records only the charges that were approved: compare those alone then.
  const attempted = (charges: readonly ChargeSent[]): readonly ChargeSent[] => (production.source === 'database' ? charges.filter((c) => c.approved) : charges);
  const shared = production.keys === rehearsal.keys;
  for (const [invoice, [productionId], [rehearsalId]] of pairedInOrder(production, rehearsal, (k) => k.invoices, (x) => x.chargedInvoiceIds(), (_, id) => [id])) {
    if (shared && rehearsal.sameChargesAs(production, rehearsalId as number, production.source === 'database')) continue;
    const p = production.chargesOfId(productionId as number);
    const r = attempted(rehearsal.chargesOfId(rehearsalId as number));
    const account = r[0]?.account ?? p[0]?.account;
    if (r.length === 0 && p.length === 0) continue;
    if (r.length === 0) {
      log.add(account, 'not charged', { invoice, production: describe(p[0]), rehearsal: 'no charge' });
      continue;
    }
    if (p.length === 0) {
      log.add(account, 'charged, production did not', { invoice, production: 'no charge', rehearsal: describe(r[0]) });
      continue;
    }
    if (r.length !== p.length) log.add(account, `charged ${r.length} times`, { invoice, production: `${p.length} charge(s)`, rehearsal: `${r.length} charge(s)` });
    for (let i = 0; i < Math.min(p.length, r.length); i++) {
      const pc = p[i] as ChargeSent;
      const rc = r[i] as ChargeSent;
      if (pc.processor !== rc.processor) log.add(account, 'processor differs', { invoice, production: pc.processor, rehearsal: rc.processor });
      if (pc.amountCents !== rc.amountCents) log.add(account, 'amount differs', { invoice, production: formatCents(pc.amountCents ?? null), rehearsal: formatCents(rc.amountCents ?? null) });
      if (pc.currency !== rc.currency) log.add(account, 'currency differs', { invoice, production: pc.currency ?? '—', rehearsal: rc.currency ?? '—' });
      // Only a ledger records the request (the form and headers since 3 December): what production's side lacks is not compared.
      if (pc.endpoint !== undefined && pc.endpoint !== rc.endpoint) log.add(account, 'gateway endpoint differs', { invoice, production: pc.endpoint, rehearsal: rc.endpoint ?? '—' });
      if (pc.form !== undefined && pc.form !== rc.form) log.add(account, 'request fields differ', { invoice, production: pc.form, rehearsal: rc.form ?? '—' });
      if (pc.headers !== undefined && pc.headers !== rc.headers) log.add(account, 'request headers differ', { invoice, production: pc.headers || '(none)', rehearsal: rc.headers === undefined ? '—' : rc.headers || '(none)' });
    }
  }
  const withoutInvoice = (record: OutboundRecord): Map<string, number> => {
    const byAccount = new Map<string, number>();
    for (const c of record.chargesWithoutInvoice()) byAccount.set(c.account ?? '—', (byAccount.get(c.account ?? '—') ?? 0) + 1);
    return byAccount;
  };
  const pw = withoutInvoice(production);
  const rw = withoutInvoice(rehearsal);
  for (const account of new Set([...pw.keys(), ...rw.keys()])) {
    if (pw.get(account) !== rw.get(account)) log.add(account === '—' ? undefined : account, 'charges naming no invoice differ', { production: pw.get(account) ?? 0, rehearsal: rw.get(account) ?? 0 });
  }
  for (const { invoice, account, other } of rehearsal.invoicesSharingIdempotencyKey()) {
    log.add(account, 'idempotency key shared with another invoice', { invoice, production: 'a key of its own', rehearsal: `the key of ${other}: the gateway charges only the first` });
  }
  let ineligibleCharged = 0;
  for await (const row of eligibility ?? []) {
    if (row.ineligible === null) {
      // Another customer's card, one the account replaced: production's charge of the same invoice would look the same in every other way.
      const other = row.card_last4 === null ? undefined : rehearsal.otherCardCharged(row.invoice_number, row.card_last4);
      if (other !== undefined) log.add(row.account_number, "charged a card other than the account's default", { invoice: row.invoice_number, production: `the account's card ending ${row.card_last4}`, rehearsal: `a card ending ${other}` });
      continue;
    }
    const charges = rehearsal.chargesOf(row.invoice_number);
    if (charges.length === 0) continue;
    ineligibleCharged++;
    log.add(row.account_number, `charged although ${row.ineligible}`, { invoice: row.invoice_number, production: 'must not be charged', rehearsal: describe(charges[0]) });
  }
  return log.result(
    base,
    `${productionCount} charge(s) in production${production.source === 'database' ? ' (payments its database recorded; approved charges compared)' : ''}, the same in the rehearsal: one per invoice production charged, same processors, amounts and currencies${eligibility === undefined ? '' : '; no ineligible account charged'}`,
    [
      { side: 'production', charges: productionCount, invoices: production.chargedInvoiceCount },
      { side: 'rehearsal', charges: rehearsalCount, invoices: rehearsal.chargedInvoiceCount, 'ineligible invoices charged': ineligibleCharged },
    ],
  );
}

function describe(charge: ChargeSent | undefined): string {
  if (charge === undefined) return '—';
  return `${formatCents(charge.amountCents ?? null)} ${charge.currency ?? ''} via ${charge.processor}`.replace(/ {2,}/g, ' ');
}
