import type { DatabaseEngine } from '../engine/types.js';
import type { PaymentAttempts } from '../sinkholes/checked-attempts.js';
import type { Profile } from '../platform/profile.js';
import { notConfigured } from './not-configured.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';

/**
 * Every payment processor configured in the platform's settings received at least one approved
 * charge at its sinkhole, and every charge the sinkholes captured asks for exactly the total of an
 * invoice of this bill run. Hosts come from the billed copy's settings (what the release used).
 */
export async function checkPayments(engine: DatabaseEngine, payments: PaymentAttempts, billDate: string, chargingEnabled: boolean, profile: Profile): Promise<CheckResult> {
  const base = { id: 'payments', title: 'A payment reached every configured processor and charged what was invoiced' };
  const unconfigured = notConfigured(profile, base, ['paymentProcessors', 'billedInvoices', 'processorsToCharge']);
  if (unconfigured !== undefined) return unconfigured;
  const processors = (await profile.query(engine, 'paymentProcessors', {}))
    .map((row) => ({ name: row.processor, host: hostOf(row.url) }))
    .filter((p) => p.host !== undefined);
  if (!chargingEnabled) {
    return payments.length === 0
      ? { ...base, status: 'skipped', summary: 'auto-pay charging is off in the plan, and no payment reached a gateway' }
      : { ...base, status: 'failed', summary: `auto-pay charging is off in the plan, yet ${payments.length} charge(s) reached a gateway sinkhole` };
  }
  const { firstCharge, nextCharge } = chargesByInvoice(payments);

  const wrong: Record<string, string | number | boolean | null>[] = [];
  const affected = new Set<string>();
  let matched = 0;
  for await (const invoice of profile.stream(engine, 'billedInvoices', { billDate })) {
    for (let i = firstCharge.get(invoice.invoice_number) ?? NO_CHARGE; i !== NO_CHARGE; i = nextCharge[i] ?? NO_CHARGE) {
      matched++;
      const amount = payments.amountCents(i);
      if (amount !== invoice.total) {
        affected.add(invoice.account_number);
        if (wrong.length < MAX_EVIDENCE_ROWS) wrong.push({ account: invoice.account_number, invoice: invoice.invoice_number, invoiced: formatCents(invoice.total), charged: formatCents(amount ?? null) });
      }
    }
    firstCharge.delete(invoice.invoice_number);
  }
  let unknownInvoices = 0;
  for (let i = 0; i < payments.length; i++) {
    const invoice = payments.invoice(i);
    if (invoice !== undefined && !firstCharge.has(invoice)) continue;
    unknownInvoices++;
    const account = payments.account(i);
    if (account !== undefined) affected.add(account);
    if (wrong.length < MAX_EVIDENCE_ROWS) wrong.push({ account: account ?? '—', invoice: invoice ?? '—', invoiced: 'no such invoice in this bill run', charged: formatCents(payments.amountCents(i) ?? null) });
  }

  const due = new Map((await profile.query(engine, 'processorsToCharge', { billDate, billMonth: billDate.slice(0, 7) })).map((r) => [r.processor, r.invoices]));
  const byHost = attemptsByHost(payments);
  const perProcessor = processors.map((processor) => {
    const host = byHost.get(processor.host ?? '');
    return { processor: processor.name, host: processor.host ?? '', 'invoices to charge': due.get(processor.name) ?? 0, attempts: host?.attempts ?? 0, approved: host?.approved ?? 0 };
  });
  const unpaid = perProcessor.filter((p) => p.approved === 0 && p['invoices to charge'] > 0);
  const unused = perProcessor.filter((p) => p['invoices to charge'] === 0);
  const failed = unpaid.length > 0 || affected.size > 0 || unknownInvoices > 0;
  const problems = [
    ...(unpaid.length > 0 ? [`no approved payment reached ${unpaid.map((p) => p.processor).join(', ')}`] : []),
    ...(wrong.length > 0 ? [`${affected.size} account(s) charged an amount that is not their invoice total`] : []),
  ];
  return {
    ...base,
    status: failed ? 'failed' : unused.length > 0 ? 'warning' : 'passed',
    summary: failed
      ? problems.join('; ')
      : `${processors.length - unused.length} processor(s) each received approved charges (${payments.length} charge(s) in all); all ${matched} match their invoice totals${unused.length > 0 ? `; not exercised because no account charged in this run uses them: ${unused.map((p) => p.processor).join(', ')}` : ''}`,
    ...(affected.size > 0 ? { affectedAccounts: [...affected].slice(0, MAX_LISTED_ACCOUNTS), affectedCount: affected.size } : {}),
    evidence: perProcessor,
    ...(wrong.length > 0 ? { sections: [{ title: 'Charges that do not match an invoice', rows: wrong }] } : {}),
  };
}

const NO_CHARGE = -1;

/**
 * Each invoice's charges in ledger order, as the index of its first charge and a chain of the
 * next ones: one map entry per invoice and four bytes per charge, not an array per invoice.
 */
function chargesByInvoice(payments: PaymentAttempts): { firstCharge: Map<string, number>; nextCharge: Int32Array } {
  const firstCharge = new Map<string, number>();
  const nextCharge = new Int32Array(payments.length).fill(NO_CHARGE);
  // Walking backwards leaves each invoice's earliest charge at the head of its chain.
  for (let i = payments.length - 1; i >= 0; i--) {
    const invoice = payments.invoice(i);
    if (invoice === undefined) continue;
    nextCharge[i] = firstCharge.get(invoice) ?? NO_CHARGE;
    firstCharge.set(invoice, i);
  }
  return { firstCharge, nextCharge };
}

function attemptsByHost(payments: PaymentAttempts): Map<string, { attempts: number; approved: number }> {
  const byHost = new Map<string, { attempts: number; approved: number }>();
  for (let i = 0; i < payments.length; i++) {
    const host = payments.host(i) ?? '';
    const counts = byHost.get(host) ?? { attempts: 0, approved: 0 };
    counts.attempts++;
    if (payments.approved(i)) counts.approved++;
    byHost.set(host, counts);
  }
  return byHost;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
