import type { DatabaseEngine } from '../engine/types.js';
import type { LedgerEntry, PaymentEntry } from '../sinkholes/ledger.js';
import { billedInvoices, gatewaySettings, processorsToCharge, type BilledInvoiceRow, type GatewaySettingRow, type ProcessorUseRow } from '../profiles/sample-platform.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';

/** The processor name inside a `gateway.<name>.url` setting key. */
const PROCESSOR_KEY = /^gateway\.([^.]+)\.url$/;

/**
 * Every payment processor configured in the platform's settings received at least one approved
 * charge at its sinkhole, and every charge the sinkholes captured asks for exactly the total of an
 * invoice of this bill run. Hosts come from the billed copy's settings (what the release used).
 */
export async function checkPayments(engine: DatabaseEngine, ledger: readonly LedgerEntry[], billDate: string, chargingEnabled: boolean): Promise<CheckResult> {
  const base = { id: 'payments', title: 'A payment reached every configured processor and charged what was invoiced' };
  const processors = (await engine.query<GatewaySettingRow>(gatewaySettings()))
    .map((row) => ({ name: PROCESSOR_KEY.exec(row.key)?.[1] ?? row.key, host: hostOf(row.value) }))
    .filter((p) => p.host !== undefined);
  const payments = ledger.filter((e): e is PaymentEntry => e.kind === 'payment');
  if (!chargingEnabled) {
    return payments.length === 0
      ? { ...base, status: 'skipped', summary: 'auto-pay charging is off in the plan, and no payment reached a gateway' }
      : { ...base, status: 'failed', summary: `auto-pay charging is off in the plan, yet ${payments.length} charge(s) reached a gateway sinkhole` };
  }
  const byInvoice = new Map<string, PaymentEntry[]>();
  for (const p of payments) if (p.invoice !== undefined) byInvoice.set(p.invoice, [...(byInvoice.get(p.invoice) ?? []), p]);

  const wrong: Record<string, string | number | boolean | null>[] = [];
  const affected = new Set<string>();
  let matched = 0;
  for await (const invoice of engine.stream<BilledInvoiceRow>(billedInvoices(billDate))) {
    for (const p of byInvoice.get(invoice.invoice_number) ?? []) {
      matched++;
      if (p.amountCents !== invoice.total_cents) {
        affected.add(invoice.account_number);
        if (wrong.length < MAX_EVIDENCE_ROWS) wrong.push({ account: invoice.account_number, invoice: invoice.invoice_number, invoiced: formatCents(invoice.total_cents), charged: formatCents(p.amountCents ?? null) });
      }
    }
    byInvoice.delete(invoice.invoice_number);
  }
  const unknownInvoice = payments.filter((p) => p.invoice === undefined || byInvoice.has(p.invoice));
  for (const p of unknownInvoice) {
    if (p.account !== undefined) affected.add(p.account);
    if (wrong.length < MAX_EVIDENCE_ROWS) wrong.push({ account: p.account ?? '—', invoice: p.invoice ?? '—', invoiced: 'no such invoice in this bill run', charged: formatCents(p.amountCents ?? null) });
  }

  const due = new Map((await engine.query<ProcessorUseRow>(processorsToCharge(billDate))).map((r) => [r.processor, r.invoices]));
  const perProcessor = processors.map((processor) => {
    const attempts = payments.filter((p) => p.destination.host === processor.host);
    return { processor: processor.name, host: processor.host ?? '', 'invoices to charge': due.get(processor.name) ?? 0, attempts: attempts.length, approved: attempts.filter((p) => p.approved).length };
  });
  const unpaid = perProcessor.filter((p) => p.approved === 0 && p['invoices to charge'] > 0);
  const unused = perProcessor.filter((p) => p['invoices to charge'] === 0);
  const failed = unpaid.length > 0 || affected.size > 0 || unknownInvoice.length > 0;
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

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
