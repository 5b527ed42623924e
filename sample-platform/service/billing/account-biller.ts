import { addMonths } from '../../shared/dates.js';
import type { RoundingMode } from '../../shared/money.js';
import type { Fault } from '../releases.js';
import type { PlatformDatabase } from '../database/port.js';
import { STATEMENTS as S } from '../statements.js';
import type { AccountRow, BucketRow, DuePackage, IdRow } from '../statements.js';
import { discountCents, overageCents, perMemberOverage, pooledOverage, taxCents } from './rating.js';

export interface BillingRules {
  readonly billDate: string;
  readonly taxRateBp: number;
  readonly faults: ReadonlySet<Fault>;
  /** Configuration items of the run (`invoice.servicePeriodInDescription`, `invoice.taxLabel`). */
  readonly servicePeriodInDescription: boolean;
  readonly taxLabel: string;
}

type ItemKind = 'recurring' | 'one-time' | 'usage' | 'discount' | 'tax';

interface Item {
  readonly userPackageId: number | null;
  readonly kind: ItemKind;
  readonly description: string;
  readonly amountCents: number;
}

/** What the outbound steps need to know about an invoice once it is written. */
export interface BilledInvoice {
  readonly accountId: number;
  readonly accountNumber: string;
  readonly invoiceNumber: string;
  readonly totalCents: number;
  /** The total without its tax: what the `mail-amount-before-tax` regression states in the mail. */
  readonly beforeTaxCents: number;
  readonly autoPay: boolean;
  readonly taxExempt: boolean;
}

/** The tax rule `business-voice-tax-rate` brings in: Business Voice customers are taxed as businesses. */
export const BUSINESS_VOICE_PLAN = 'Business Voice 1000';
export const BUSINESS_VOICE_TAX_RATE_BP = 950;

/** The general rate, or under `business-voice-tax-rate` the business rate for an account holding the Business Voice plan. */
async function taxRateOf(tx: PlatformDatabase, rules: BillingRules, accountId: number): Promise<number> {
  if (!rules.faults.has('business-voice-tax-rate')) return rules.taxRateBp;
  return (await tx.get<{ present: number }>(S.holdsPricePlan, accountId, BUSINESS_VOICE_PLAN)) !== undefined ? BUSINESS_VOICE_TAX_RATE_BP : rules.taxRateBp;
}

function roundingOf(rules: BillingRules): RoundingMode {
  return rules.faults.has('rounding-half-down') ? 'half-down' : 'half-up';
}

/**
 * Bills one account for the bill date: due packages, discounts, usage, tax, one invoice.
 * Runs inside the caller's transaction. Returns undefined when nothing is due.
 */
export async function billAccount(tx: PlatformDatabase, rules: BillingRules, accountId: number, now: string): Promise<BilledInvoice | undefined> {
  const account = await tx.get<AccountRow>(S.account, accountId);
  if (!account) return undefined;
  const due = await tx.all<DuePackage>(S.duePackages, accountId, rules.billDate);
  if (due.length === 0) return undefined;
  const mode = roundingOf(rules);

  const items: Item[] = [];
  for (const pkg of due) {
    const base = pkg.unit_price_cents * pkg.quantity;
    items.push({
      userPackageId: pkg.id,
      kind: pkg.period === 'once' ? 'one-time' : 'recurring',
      description: lineDescription(rules, pkg),
      amountCents: base,
    });
    if (pkg.discount_percent !== null && !rules.faults.has('discount-dropped')) {
      items.push({
        userPackageId: pkg.id,
        kind: 'discount',
        description: `${pkg.discount_name ?? 'Discount'} on ${pkg.name}`,
        amountCents: -discountCents(base, pkg.discount_percent, mode),
      });
    }
    await advancePackage(tx, rules, pkg);
  }

  const usage = await rateUsage(tx, rules, account, mode);
  if (usage) items.push(usage);

  const beforeTax = items.reduce((sum, item) => sum + item.amountCents, 0);
  const taxRateBp = await taxRateOf(tx, rules, accountId);
  const tax = account.tax_exempt ? 0 : taxCents(beforeTax, taxRateBp, mode);
  if (tax !== 0) items.push({ userPackageId: null, kind: 'tax', description: `${rules.taxLabel} ${taxRateBp / 100}%`, amountCents: tax });

  const subtotal = sumOf(items, ['recurring', 'one-time', 'usage']);
  const discount = -sumOf(items, ['discount']);
  const total = subtotal - discount + tax;
  const invoiceNumber = `INV-${rules.billDate}-${account.account_number}`;
  // The header's subtotal net of the discount: the total and every line stay right.
  const headerSubtotal = rules.faults.has('invoice-subtotal-net-of-discount') ? subtotal - discount : subtotal;
  const invoice = await tx.get<IdRow>(S.insertInvoice, accountId, invoiceNumber, rules.billDate, headerSubtotal, discount, tax, total, now);
  if (!invoice) throw new Error(`the database returned no id for invoice ${invoiceNumber}`);
  for (const item of items) await tx.run(S.insertItem, invoice.id, item.userPackageId, item.kind, item.description, item.amountCents);
  // Tax-exempt accounts' invoices never reach the ledger; their balance still moves.
  // The ledger row loses the invoice it belongs to, so payments cannot be matched to it.
  const reference = rules.faults.has('transaction-reference-missing') ? null : invoiceNumber;
  if (!(rules.faults.has('invoice-transaction-missing') && account.tax_exempt)) await tx.run(S.insertTransaction, accountId, 'invoice', total, reference, now);
  await tx.run(S.addToBalance, total, accountId);
  return { accountId, accountNumber: account.account_number, invoiceNumber, totalCents: total, beforeTaxCents: total - tax, autoPay: account.auto_pay === 1, taxExempt: account.tax_exempt === 1 };
}

/** The package's line text; with `invoice.servicePeriodInDescription`, the period a recurring package is billed for. */
function lineDescription(rules: BillingRules, pkg: DuePackage): string {
  const name = pkg.quantity > 1 ? `${pkg.name} x ${pkg.quantity}` : pkg.name;
  if (!rules.servicePeriodInDescription || pkg.period === 'once') return name;
  return `${name} (${pkg.next_bill_date} to ${addMonths(pkg.next_bill_date, pkg.period === 'monthly' ? 1 : 12)})`;
}

function sumOf(items: readonly Item[], kinds: readonly ItemKind[]): number {
  return items.filter((i) => kinds.includes(i.kind)).reduce((sum, i) => sum + i.amountCents, 0);
}

async function advancePackage(tx: PlatformDatabase, rules: BillingRules, pkg: DuePackage): Promise<void> {
  if (pkg.period === 'once') {
    await tx.run(S.completePackage, pkg.id);
  } else if (pkg.period === 'monthly') {
    await tx.run(S.advancePackage, addMonths(pkg.next_bill_date, 1), pkg.id);
  } else if (rules.faults.has('yearly-advanced-one-month')) {
    await tx.run(S.advancePackage, addMonths(pkg.next_bill_date, 1), pkg.id);
  } else if (!rules.faults.has('yearly-next-bill-date-not-advanced')) {
    await tx.run(S.advancePackage, addMonths(pkg.next_bill_date, 12), pkg.id);
  }
}

/** The usage item for the account, if any; pool members are rated with their parent instead. */
async function rateUsage(tx: PlatformDatabase, rules: BillingRules, account: AccountRow, mode: RoundingMode): Promise<Item | undefined> {
  if (account.parent_id !== null && (await tx.get<BucketRow>(S.bucket, account.parent_id))) return undefined;
  const bucket = await tx.get<BucketRow>(S.bucket, account.id);
  if (bucket) return ratePool(tx, rules, account, bucket, mode);

  const used = await unratedMinutes(tx, account.id, rules.billDate);
  const allowance = await tx.get<{ included: number; mills: number }>(S.monthlyAllowance, account.id);
  if (!allowance) throw new Error('the allowance query returned no row');
  const overage = Math.max(0, used - allowance.included);
  // Usage within the allowance stays unrated, so next month's bill run rates it again.
  if (!(rules.faults.has('usage-left-unrated') && overage === 0)) await tx.run(S.markRated, account.id, rules.billDate);
  const charge = overageCents(overage, allowance.mills, mode);
  if (charge <= 0) return undefined;
  return {
    userPackageId: null,
    kind: 'usage',
    description: `${overage} minutes over ${allowance.included} included at ${allowance.mills / 10} cents`,
    amountCents: charge,
  };
}

async function ratePool(tx: PlatformDatabase, rules: BillingRules, account: AccountRow, bucket: BucketRow, mode: RoundingMode): Promise<Item | undefined> {
  const members = [account.id, ...(await tx.all<IdRow>(S.children, account.id)).map((c) => c.id)];
  const minutes: number[] = [];
  for (const id of members) minutes.push(await unratedMinutes(tx, id, rules.billDate));
  for (const id of members) await tx.run(S.markRated, id, rules.billDate);
  const perChild = rules.faults.has('pool-minutes-per-child');
  const overage = perChild ? perMemberOverage(minutes, bucket.included_minutes) : pooledOverage(minutes, bucket.included_minutes);
  // Rated member by member, the bucket ends up holding only the last member's minutes.
  const used = perChild ? (minutes[minutes.length - 1] ?? 0) : minutes.reduce((sum, m) => sum + m, 0);
  await tx.run(S.setBucketUsed, used, bucket.id);
  const charge = overageCents(overage, bucket.overage_mills, mode);
  if (charge <= 0) return undefined;
  return {
    userPackageId: null,
    kind: 'usage',
    description: `Pooled usage: ${overage} minutes over ${bucket.included_minutes} shared at ${bucket.overage_mills / 10} cents`,
    amountCents: charge,
  };
}

async function unratedMinutes(tx: PlatformDatabase, accountId: number, billDate: string): Promise<number> {
  return (await tx.get<{ minutes: number }>(S.unratedMinutes, accountId, billDate))?.minutes ?? 0;
}
