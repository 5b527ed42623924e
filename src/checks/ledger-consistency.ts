import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { PackageToProvisionRow, RecordedPaymentRow } from '../platform/rows.js';
import { Chains } from '../compact/chains.js';
import { IntColumn, NumberColumn, StringIds } from '../compact/columns.js';
import { configuredSender } from './baseline.js';
import { notConfigured } from './not-configured.js';
import { formatCents } from './money.js';
import { DifferenceLog } from './outbound-differences.js';
import { OTHER_SENDERS, type OutboundRecord } from './outbound-record.js';
import { amountPatternReadsCurrency } from '../sinkholes/attribution.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

const PAYMENTS_RECORDED = { id: 'ledger-payments-recorded', title: 'Every approved charge is a recorded payment, and every recorded payment was approved' };

/**
 * Every charge a sinkhole approved is recorded as a payment of the same amount against its
 * invoice in the billed copy, and every payment recorded against this bill run's invoices had an
 * approval: a customer charged while the books say they owe, or the reverse, fails.
 */
export async function checkPaymentsRecorded(engine: DatabaseEngine, sent: OutboundRecord, billDate: string, profile: Profile): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, PAYMENTS_RECORDED, ['recordedPayments']);
  if (unconfigured !== undefined) return unconfigured;
  return comparePaymentsRecorded(sent, profile.stream(engine, 'recordedPayments', { billDate }));
}

/** The approved charges of `sent` against the payments a database recorded, invoice by invoice in invoice order. */
export async function comparePaymentsRecorded(sent: OutboundRecord, recordedPayments: AsyncIterable<RecordedPaymentRow>): Promise<CheckResult> {
  const invoices = new StringIds();
  const accounts = new StringIds();
  const approved = new AmountsByInvoice(invoices, accounts);
  sent.forEachApprovedCharge((invoice, account, amountCents) => approved.add(invoice, account, amountCents));
  const recorded = new AmountsByInvoice(invoices, accounts);
  for await (const row of recordedPayments) recorded.add(row.invoice_number, row.account_number, row.amount);
  const log = new DifferenceLog();
  for (const id of invoices.indicesInOrder()) {
    const charged = approved.of(id);
    const booked = recorded.of(id);
    const account = booked.account ?? charged.account;
    const row = { invoice: invoices.get(id), approved: charged.amounts.map((c) => formatCents(c)).join(', ') || 'none', recorded: booked.amounts.map((c) => formatCents(c)).join(', ') || 'none' };
    if (booked.amounts.length < charged.amounts.length) log.add(account, 'approved, not recorded as a payment', row);
    else if (booked.amounts.length > charged.amounts.length) log.add(account, 'payment recorded without an approval', row);
    else if (charged.amounts.some((c, i) => c !== booked.amounts[i])) log.add(account, 'recorded amount differs from the approved charge', row);
  }
  return log.result(PAYMENTS_RECORDED, `${approved.count} approved charge(s), ${recorded.count} recorded payment(s): each approval is a payment of the same amount on its invoice`, [
    { 'approved charges': approved.count, 'recorded payments': recorded.count },
  ]);
}

/**
 * One side's amounts per invoice, with the account each came from, in columns chained per invoice:
 * at a million accounts a Map of objects and arrays per invoice held about 340 MB for both sides.
 */
class AmountsByInvoice {
  private readonly amounts = new NumberColumn();
  private readonly accountOf = new IntColumn();
  private readonly chains = new Chains();

  /** Numberings shared by both sides, so that an invoice has one id. */
  constructor(
    private readonly invoices: StringIds,
    private readonly accounts: StringIds,
  ) {}

  add(invoice: string, account: string | undefined, amount: number): void {
    const row = this.amounts.push(amount);
    this.accountOf.push(account === undefined ? -1 : this.accounts.intern(account));
    this.chains.add(this.invoices.intern(invoice), row);
  }

  get count(): number {
    return this.amounts.length;
  }

  /** The invoice's amounts, smallest first, and the account of the first one added. */
  of(invoice: number): { amounts: number[]; account: string | undefined } {
    const rows = this.chains.rowsOf(invoice);
    const first = rows[0] === undefined ? -1 : this.accountOf.get(rows[0]);
    return { amounts: rows.map((row) => this.amounts.get(row)).sort((a, b) => a - b), account: first < 0 ? undefined : this.accounts.get(first) };
  }
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
 * Every message that names an invoice of this bill run states the amount the invoice holds: a
 * customer told to pay another amount than the invoice says (tax left out, a discount applied
 * twice, cents shown as units) is a regression no database comparison sees. Where the adapter's
 * pattern reads the currency too and its `billingCurrency` says which currency production bills in
 * (read from `production`, so that a release that rewrites the copy's setting does not set its own
 * yardstick), every message must state that currency: the right figure in another currency is
 * another bill. Read only where the adapter declares how a message states its amount
 * (`outbound.amountPattern`).
 */
export async function checkMailAmounts(
  engine: DatabaseEngine,
  sent: OutboundRecord,
  billDate: string,
  mailEnabled: boolean,
  profile: Profile,
  production: DatabaseEngine = engine,
): Promise<CheckResult> {
  const base = { id: 'ledger-mail-amounts', title: 'Every mailed invoice states the amount the invoice holds' };
  if (!mailEnabled) return { ...base, status: 'skipped', summary: 'invoice e-mail is off in the plan' };
  const pattern = profile.adapter.outbound.amountPattern;
  if (pattern === undefined) {
    return { ...base, status: 'skipped', summary: `not configured for this platform: the adapter ${profile.adapter.file} declares no \`outbound.amountPattern\`, so the amount a message states is not read` };
  }
  const unconfigured = notConfigured(profile, base, ['billedInvoices']);
  if (unconfigured !== undefined) return unconfigured;
  // The currency every message must state: production's billing currency, where the pattern reads one and the adapter says which.
  const readsCurrency = amountPatternReadsCurrency(pattern);
  const currency = readsCurrency && profile.has('billingCurrency') ? (await profile.query(production, 'billingCurrency', {}))[0]?.currency?.trim().toUpperCase() || undefined : undefined;
  const log = new DifferenceLog();
  let mailed = 0;
  let currencies = 0;
  for await (const row of profile.stream(engine, 'billedInvoices', { billDate })) {
    const stated = sent.statedAmountOf(row.invoice_number);
    // An invoice no message names is ledger-mail-recorded's and outbound-mail's to report.
    if (stated === undefined) continue;
    mailed++;
    const cells = { invoice: row.invoice_number, 'invoice total': formatCents(row.total) };
    if (stated.cents === undefined) log.add(row.account_number, 'mailed without the amount due', { ...cells, 'mail states': 'no amount' });
    else if (Number.isNaN(stated.cents)) log.add(row.account_number, 'the amount the mail states is not a number', { ...cells, 'mail states': 'not a number' });
    else if (stated.cents !== row.total || stated.differing) {
      log.add(row.account_number, 'amount in the mail differs from the invoice', { ...cells, 'mail states': `${formatCents(stated.cents)}${stated.differing ? ' and other amounts' : ''}` });
    } else if (stated.someWithout) log.add(row.account_number, 'mailed without the amount due', { ...cells, 'mail states': `${formatCents(stated.cents)} in one message, no amount in another` });
    if (currency === undefined || stated.cents === undefined) continue;
    currencies++;
    const currencyCells = { invoice: row.invoice_number, 'billing currency': currency };
    if (stated.currency === undefined) log.add(row.account_number, 'mailed without the currency', { ...currencyCells, 'mail states': 'no currency' });
    else if (stated.currency !== currency || stated.currencyDiffering) {
      log.add(row.account_number, 'currency in the mail differs from the billing currency', { ...currencyCells, 'mail states': `${stated.currency}${stated.currencyDiffering ? ' and other currencies' : ''}` });
    }
  }
  const currencyNote =
    currency !== undefined
      ? ` and the billing currency, ${currency}`
      : readsCurrency
        ? `; the currency each states is not judged: ${profile.has('billingCurrency') ? 'production names no billing currency (`billingCurrency` returned none)' : `the adapter ${profile.adapter.file} declares no \`billingCurrency\``}`
        : '';
  return log.result(base, `${mailed} mailed invoice(s) of this bill run, each message stating the invoice's total${currencyNote}`, [{ 'mailed invoices': mailed, ...(currency !== undefined ? { 'billing currency': currency, 'currencies compared': currencies } : {}) }]);
}

/**
 * Every message came from the envelope sender the copy's settings name (`mailSender`): a release
 * that ignores the setting and mails from a built-in default sends invoices from a domain whose
 * SPF and DMARC fail, so they land in spam or bounce. Sanitize rewrote the setting; the platform
 * must have read it.
 */
export async function checkMailSender(engine: DatabaseEngine, sent: OutboundRecord, mailEnabled: boolean, profile: Profile, senderBeforeBillRun?: string): Promise<CheckResult> {
  const base = { id: 'ledger-mail-sender', title: "Every message comes from the sender the platform's settings name" };
  if (!mailEnabled) return { ...base, status: 'skipped', summary: 'invoice e-mail is off in the plan' };
  const unconfigured = notConfigured(profile, base, ['mailSender']);
  if (unconfigured !== undefined) return unconfigured;
  // The setting as it was before the bill run: a release that rewrites it and mails from the new one must not agree with itself.
  const settings = senderBeforeBillRun !== undefined ? 'the copy\'s settings named before the bill run' : 'the copy\'s settings name';
  const billed = await configuredSender(engine, profile);
  const configured = senderBeforeBillRun ?? billed;
  if (configured === '') {
    return { ...base, status: 'failed', summary: `${settings} no mail sender (\`mailSender\` in ${profile.adapter.file} returned no address), so whom the platform mailed from cannot be judged; check that sanitize did not remove the setting` };
  }
  const changedTo = billed !== configured ? (billed === '' ? 'nothing' : billed) : undefined;
  const changed = changedTo !== undefined ? ` (the bill run changed the setting to ${changedTo})` : '';
  const senders = sent.mailSenders();
  // The configured sender first, then the others by how many messages they sent, cut like every check's evidence.
  const shown = [...senders].sort(([a, x], [b, y]) => Number(b === configured) - Number(a === configured) || y.messages - x.messages).slice(0, MAX_EVIDENCE_ROWS);
  const evidence = shown.map(([sender, tally]) => ({ sender, messages: tally.messages, 'the settings name it': sender === configured ? 'yes' : 'no', 'example account': tally.example ?? '—' }));
  const others = senders.filter(([sender]) => sender !== configured);
  const messages = senders.reduce((sum, [, tally]) => sum + tally.messages, 0);
  if (others.length === 0 && changedTo === undefined) return { ...base, status: 'passed', summary: `${messages} message(s), all from ${configured}, the sender ${settings}`, evidence };
  // Mail sent right this month, but the next bill run would go out from what the setting holds now.
  if (others.length === 0) return { ...base, status: 'failed', summary: `${messages} message(s), all from ${configured}, the sender ${settings}, but the bill run changed the setting to ${changedTo}: the next bill run would mail from that`, evidence };
  const wrong = others.reduce((sum, [, tally]) => sum + tally.messages, 0);
  const examples = [...new Set(others.flatMap(([, tally]) => (tally.example === undefined ? [] : [tally.example])))].slice(0, MAX_LISTED_ACCOUNTS);
  const named = others.map(([sender]) => (sender === OTHER_SENDERS ? 'other senders' : sender)).slice(0, 3).join(', ');
  return {
    ...base,
    status: 'failed',
    summary: `${wrong} of ${messages} message(s) came from ${named}${others.length > 3 ? ' and more' : ''}, not from ${configured}, the sender ${settings}${changed}`,
    affectedAccounts: examples,
    evidence,
  };
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
