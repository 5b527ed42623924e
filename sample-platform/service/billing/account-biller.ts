import { addMonths } from '../../shared/dates.js';
import type { RoundingMode } from '../../shared/money.js';
import type { Fault } from '../releases.js';
import { discountCents, overageCents, perMemberOverage, pooledOverage, taxCents } from './rating.js';
import type { AccountRow, BucketRow, DuePackage, Statements } from './statements.js';

export interface BillingRules {
  readonly billDate: string;
  readonly taxRateBp: number;
  readonly faults: ReadonlySet<Fault>;
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
  readonly autoPay: boolean;
}

function roundingOf(rules: BillingRules): RoundingMode {
  return rules.faults.has('rounding-half-down') ? 'half-down' : 'half-up';
}

/**
 * Bills one account for the bill date: due packages, discounts, usage, tax, one invoice.
 * Runs inside the caller's transaction. Returns undefined when nothing is due.
 */
export function billAccount(st: Statements, rules: BillingRules, accountId: number, now: string): BilledInvoice | undefined {
  const account = st.account.get(accountId) as AccountRow | undefined;
  if (!account) return undefined;
  const due = st.duePackages.all(accountId, rules.billDate) as DuePackage[];
  if (due.length === 0) return undefined;
  const mode = roundingOf(rules);

  const items: Item[] = [];
  for (const pkg of due) {
    const base = pkg.unit_price_cents * pkg.quantity;
    items.push({
      userPackageId: pkg.id,
      kind: pkg.period === 'once' ? 'one-time' : 'recurring',
      description: pkg.quantity > 1 ? `${pkg.name} x ${pkg.quantity}` : pkg.name,
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
    advancePackage(st, rules, pkg);
  }

  const usage = rateUsage(st, rules, account, mode);
  if (usage) items.push(usage);

  const beforeTax = items.reduce((sum, item) => sum + item.amountCents, 0);
  const tax = account.tax_exempt ? 0 : taxCents(beforeTax, rules.taxRateBp, mode);
  if (tax !== 0) items.push({ userPackageId: null, kind: 'tax', description: `Sales tax ${rules.taxRateBp / 100}%`, amountCents: tax });

  const subtotal = sumOf(items, ['recurring', 'one-time', 'usage']);
  const discount = -sumOf(items, ['discount']);
  const total = subtotal - discount + tax;
  const invoiceNumber = `INV-${rules.billDate}-${account.account_number}`;
  const invoiceId = Number(
    st.insertInvoice.run(accountId, invoiceNumber, rules.billDate, subtotal, discount, tax, total, now).lastInsertRowid,
  );
  for (const item of items) st.insertItem.run(invoiceId, item.userPackageId, item.kind, item.description, item.amountCents);
  st.insertTransaction.run(accountId, 'invoice', total, invoiceNumber, now);
  st.addToBalance.run(total, accountId);
  return { accountId, accountNumber: account.account_number, invoiceNumber, totalCents: total, autoPay: account.auto_pay === 1 };
}

function sumOf(items: readonly Item[], kinds: readonly ItemKind[]): number {
  return items.filter((i) => kinds.includes(i.kind)).reduce((sum, i) => sum + i.amountCents, 0);
}

function advancePackage(st: Statements, rules: BillingRules, pkg: DuePackage): void {
  if (pkg.period === 'once') {
    st.completePackage.run(pkg.id);
  } else if (pkg.period === 'monthly') {
    st.advancePackage.run(addMonths(pkg.next_bill_date, 1), pkg.id);
  } else if (!rules.faults.has('yearly-next-bill-date-not-advanced')) {
    st.advancePackage.run(addMonths(pkg.next_bill_date, 12), pkg.id);
  }
}

/** The usage item for the account, if any; pool members are rated with their parent instead. */
function rateUsage(st: Statements, rules: BillingRules, account: AccountRow, mode: RoundingMode): Item | undefined {
  if (account.parent_id !== null && st.bucket.get(account.parent_id)) return undefined;
  const bucket = st.bucket.get(account.id) as BucketRow | undefined;
  if (bucket) return ratePool(st, rules, account, bucket, mode);

  const used = (st.unratedMinutes.get(account.id, rules.billDate) as { minutes: number }).minutes;
  st.markRated.run(account.id, rules.billDate);
  const allowance = st.monthlyAllowance.get(account.id) as { included: number; mills: number };
  const overage = Math.max(0, used - allowance.included);
  const charge = overageCents(overage, allowance.mills, mode);
  if (charge <= 0) return undefined;
  return {
    userPackageId: null,
    kind: 'usage',
    description: `${overage} minutes over ${allowance.included} included at ${allowance.mills / 10} cents`,
    amountCents: charge,
  };
}

function ratePool(st: Statements, rules: BillingRules, account: AccountRow, bucket: BucketRow, mode: RoundingMode): Item | undefined {
  const members = [account.id, ...(st.children.all(account.id) as { id: number }[]).map((c) => c.id)];
  const minutes = members.map((id) => (st.unratedMinutes.get(id, rules.billDate) as { minutes: number }).minutes);
  for (const id of members) st.markRated.run(id, rules.billDate);
  const perChild = rules.faults.has('pool-minutes-per-child');
  const overage = perChild ? perMemberOverage(minutes, bucket.included_minutes) : pooledOverage(minutes, bucket.included_minutes);
  // Rated member by member, the bucket ends up holding only the last member's minutes.
  const used = perChild ? (minutes[minutes.length - 1] ?? 0) : minutes.reduce((sum, m) => sum + m, 0);
  st.setBucketUsed.run(used, bucket.id);
  const charge = overageCents(overage, bucket.overage_mills, mode);
  if (charge <= 0) return undefined;
  return {
    userPackageId: null,
    kind: 'usage',
    description: `Pooled usage: ${overage} minutes over ${bucket.included_minutes} shared at ${bucket.overage_mills / 10} cents`,
    amountCents: charge,
  };
}
