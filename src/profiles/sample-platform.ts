import { sql, ident, join, type Fragment } from '../sql/fragment.js';
import type { Dialect } from '../sql/dialect.js';

/**
 * Where the sample platform keeps each billing concept, as queries. Verification asks these
 * questions only through a profile, so another platform (EngageIP) is a new profile, not new checks.
 */

/** The table of accounts and the column people know an account by (differences are attributed to it). */
export const ACCOUNT_IDENTITY = { table: 'accounts', key: 'account_number' } as const;

export interface DuePackageRow extends Record<string, string | number | null> {
  account_number: string;
  user_package_id: number;
  package_code: string;
  period: string;
  next_bill_date: string;
}

/** Packages the bill run on `billDate` must bill, for the given accounts (read before the bill run). */
export function duePackages(accounts: readonly string[], billDate: string): Fragment {
  return sql`SELECT a.account_number AS account_number, up.id AS user_package_id, p.code AS package_code, p.period AS period, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
WHERE a.account_number IN (${join([...accounts], ', ')}) AND a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ${billDate}
ORDER BY a.account_number, up.id`;
}

export interface UserPackageRow extends Record<string, string | number | null> {
  account_number: string;
  user_package_id: number;
  status: string;
  next_bill_date: string | null;
}

export function userPackages(accounts: readonly string[]): Fragment {
  return sql`SELECT a.account_number AS account_number, up.id AS user_package_id, up.status AS status, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id
WHERE a.account_number IN (${join([...accounts], ', ')}) ORDER BY a.account_number, up.id`;
}

export interface PoolRow extends Record<string, string | number | null> {
  account_number: string;
  included_minutes: number;
  overage_mills: number;
  used_minutes: number;
  family_unrated_minutes: number;
}

/** Pool owners among `accounts`, with the family's unrated usage before `billDate`. */
export function pools(accounts: readonly string[], billDate: string): Fragment {
  return sql`SELECT a.account_number AS account_number, b.included_minutes AS included_minutes, b.overage_mills AS overage_mills, b.used_minutes AS used_minutes,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u JOIN accounts m ON m.id = u.account_id
   WHERE (m.id = a.id OR m.parent_id = a.id) AND u.rated = 0 AND u.usage_date < ${billDate}) AS family_unrated_minutes
FROM minute_buckets b JOIN accounts a ON a.id = b.account_id
WHERE a.account_number IN (${join([...accounts], ', ')}) ORDER BY a.account_number`;
}

export interface AccountOutcomeRow extends Record<string, string | number | null> {
  account_number: string;
  status: string;
  balance_cents: number;
  invoice_count: number;
  invoice_total_cents: number | null;
  usage_cents: number | null;
}

export function accountOutcomes(accounts: readonly string[], billDate: string): Fragment {
  return sql`SELECT a.account_number AS account_number, a.status AS status, a.balance_cents AS balance_cents,
  (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS invoice_count,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS invoice_total_cents,
  (SELECT SUM(ii.amount_cents) FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id
   WHERE i.account_id = a.id AND i.bill_date = ${billDate} AND ii.kind = 'usage') AS usage_cents
FROM accounts a WHERE a.account_number IN (${join([...accounts], ', ')}) ORDER BY a.account_number`;
}

export interface ComparableAccountRow extends Record<string, string | number | null> {
  account_number: string;
  balance_cents: number;
  /** Payments the bill run itself took (negative): production's came from real processors, ours from sinkholes. */
  bill_run_payments_cents: number;
  invoice_total_cents: number | null;
  tax_cents: number | null;
  /** This bill run's invoice items as `kind=amount` pairs joined with ','; summed by kind by the reader. */
  charges: string | null;
  /** Minutes used of the bucket this account owns (null: it owns none). */
  pool_used_minutes: number | null;
  /** 'pool owner', 'pool member' or 'no pool': a cause to group differences by. */
  pool_role: string;
  /** 1 when the account is a child of another account. */
  is_child: number;
  /** Each package as `code:next bill date:status`, in a stable order. */
  next_bill_dates: string | null;
  /** Periods of the account's packages and whether any has a discount, as `period` or `period+discount` pairs. */
  package_traits: string | null;
}

/**
 * Every account's bill-run outcome keyed by account number (a stable key, not a row id), sorted so
 * that two databases can be compared by merging two streams in one pass. `accounts` narrows it to
 * a few accounts (the picked ones); without it every account is read.
 */
export function comparableAccounts(dialect: Dialect, billDate: string, accounts?: readonly string[]): Fragment {
  const nextBillDates = dialect.orderedConcat(
    sql`concat(p.code, ':', COALESCE(up.next_bill_date, '-'), ':', up.status)`,
    sql`p.code, up.start_date, up.next_bill_date`,
  );
  const traits = dialect.orderedConcat(
    sql`concat(p.period, CASE WHEN up.discount_id IS NULL THEN '' ELSE '+discount' END)`,
    sql`p.period, up.discount_id`,
  );
  const charges = dialect.orderedConcat(sql`concat(ii.kind, '=', ii.amount_cents)`, sql`ii.kind, ii.amount_cents`);
  const where = accounts === undefined ? sql`` : sql`WHERE a.account_number IN (${join([...accounts], ', ')}) `;
  return sql`SELECT a.account_number AS account_number, a.balance_cents AS balance_cents,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS invoice_total_cents,
  (SELECT SUM(i.tax_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS tax_cents,
  (SELECT ${charges} FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS charges,
  (SELECT COALESCE(SUM(t.amount_cents), 0) FROM transactions t JOIN invoices i ON i.invoice_number = t.reference
   WHERE t.account_id = a.id AND t.kind = 'payment' AND i.account_id = a.id AND i.bill_date = ${billDate}) AS bill_run_payments_cents,
  ob.used_minutes AS pool_used_minutes,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  (SELECT ${nextBillDates} FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS next_bill_dates,
  (SELECT ${traits} FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS package_traits
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
${where}ORDER BY ${dialect.codePointOrder(sql`a.account_number`)}`;
}

export interface AccountFeaturesRow extends Record<string, string | number | null> {
  account_number: string;
  status: string;
  balance_cents: number;
  is_parent: number;
  is_child: number;
  pool_role: string;
  package_count: number;
  usage_minutes: number;
  /** `period` of each package, joined with ','. */
  periods: string | null;
  price_plans: string | null;
  discounts: string | null;
  /** `kind/processor` of each payment method, joined with ','. */
  payment_methods: string | null;
  /** Number of cards that expired before the bill month. */
  expired_cards: number;
}

/** What each account exercises, read before the bill run, for the diverse account picker (one pass, account order). */
export function accountFeatures(dialect: Dialect, billDate: string): Fragment {
  const billMonth = billDate.slice(0, 7);
  return sql`SELECT a.account_number AS account_number, a.status AS status, a.balance_cents AS balance_cents,
  CASE WHEN EXISTS (SELECT 1 FROM accounts c WHERE c.parent_id = a.id) THEN 1 ELSE 0 END AS is_parent,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  (SELECT COUNT(*) FROM user_packages up WHERE up.account_id = a.id) AS package_count,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u WHERE u.account_id = a.id AND u.rated = 0) AS usage_minutes,
  (SELECT ${dialect.orderedConcat(sql`p.period`, sql`p.period`)} FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS periods,
  (SELECT ${dialect.orderedConcat(sql`pp.name`, sql`pp.name`)} FROM user_packages up JOIN price_plans pp ON pp.id = up.price_plan_id WHERE up.account_id = a.id) AS price_plans,
  (SELECT ${dialect.orderedConcat(sql`d.name`, sql`d.name`)} FROM user_packages up JOIN discounts d ON d.id = up.discount_id WHERE up.account_id = a.id) AS discounts,
  (SELECT ${dialect.orderedConcat(sql`concat(pm.kind, '/', pm.processor)`, sql`pm.kind, pm.processor`)} FROM payment_methods pm WHERE pm.account_id = a.id) AS payment_methods,
  (SELECT COUNT(*) FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'card' AND pm.card_expiry < ${billMonth}) AS expired_cards
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
ORDER BY a.account_number`;
}

export interface EventLogRow extends Record<string, string | number | null> {
  logged_at: string;
  level: string;
  module: string;
  action: string;
  result: string;
  account_number: string | null;
  message: string | null;
}

export function eventLogSince(since: string): Fragment {
  return sql`SELECT e.logged_at AS logged_at, e.level AS level, e.module AS module, e.action AS action, e.result AS result,
  a.account_number AS account_number, e.message AS message
FROM event_log e LEFT JOIN accounts a ON a.id = e.account_id
WHERE e.logged_at >= ${since} AND e.level IN ('warning', 'error') ORDER BY e.logged_at, e.id`;
}

export interface BillRunRow extends Record<string, string | number | null> {
  bill_date: string;
  release: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  accounts_billed: number;
}

export function latestBillRun(dialect: Dialect, billDate: string): Fragment {
  return dialect.selectFirst(
    1,
    sql`bill_date, ${ident('release')}, status, started_at, finished_at, accounts_billed`,
    sql`FROM bill_runs WHERE bill_date = ${billDate} ORDER BY id DESC`,
  );
}

export interface AccountCountRow extends Record<string, string | number | null> {
  accounts: number;
}

/** How many accounts the bill run on `billDate` must bill (read before the bill run): active, with an active package due. */
export function accountsDueCount(billDate: string): Fragment {
  return sql`SELECT COUNT(DISTINCT a.id) AS accounts
FROM accounts a JOIN user_packages up ON up.account_id = a.id
WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ${billDate}`;
}

/** How many accounts got an invoice dated `billDate`. */
export function invoicedAccountsCount(billDate: string): Fragment {
  return sql`SELECT COUNT(DISTINCT i.account_id) AS accounts FROM invoices i WHERE i.bill_date = ${billDate}`;
}

export interface AccountNumberRow extends Record<string, string | number | null> {
  account_number: string;
}

/** After the bill run: accounts still due on `billDate` that got no invoice for it, i.e. due but not billed (the first `limit`). */
export function dueAccountsNotInvoiced(dialect: Dialect, billDate: string, limit: number): Fragment {
  return dialect.selectFirst(
    limit,
    sql`a.account_number AS account_number`,
    sql`FROM accounts a WHERE a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages up WHERE up.account_id = a.id AND up.status = 'active' AND up.next_bill_date <= ${billDate})
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate})
ORDER BY a.account_number`,
  );
}

/** Every value in the platform's settings: the hosts it will try to reach are among them. */
export function settingValues(): Fragment {
  return sql`SELECT value FROM settings ORDER BY ${ident('key')}`;
}

/** Accounts the bill run on `billDate` must provision: billed now and holding a pending package change. */
export function accountsToProvision(billDate: string): Fragment {
  return sql`SELECT DISTINCT a.account_number AS account_number
FROM user_packages up JOIN accounts a ON a.id = up.account_id
WHERE up.provisioning_status = 'pending' AND a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages due WHERE due.account_id = a.id AND due.status = 'active' AND due.next_bill_date <= ${billDate})
ORDER BY a.account_number`;
}

export interface RolePermissionRow extends Record<string, string | number | null> {
  role: string | null;
  permission: string;
}

/** Every permission with each role holding it; a permission no role holds comes with a null role. */
export function rolePermissions(): Fragment {
  return sql`SELECT r.name AS role, p.name AS permission
FROM permissions p LEFT JOIN role_permissions rp ON rp.permission_id = p.id LEFT JOIN roles r ON r.id = rp.role_id
ORDER BY p.name, r.name`;
}

export interface RoleRow extends Record<string, string | number | null> {
  role: string;
}

export function roles(): Fragment {
  return sql`SELECT name AS role FROM roles ORDER BY name`;
}

export interface BilledInvoiceRow extends Record<string, string | number | null> {
  invoice_number: string;
  account_number: string;
  total_cents: number;
}

/** Invoices of this bill run, to match payments the sinkholes captured against what was billed. */
export function billedInvoices(billDate: string): Fragment {
  return sql`SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, i.total_cents AS total_cents
FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.bill_date = ${billDate} ORDER BY i.invoice_number`;
}

export interface GatewaySettingRow extends Record<string, string | number | null> {
  key: string;
  value: string;
}

/** The payment processors configured in the platform's settings (`gateway.<name>.url`). */
export function gatewaySettings(): Fragment {
  return sql`SELECT ${ident('key')} AS ${ident('key')}, value FROM settings WHERE ${ident('key')} LIKE 'gateway.%.url' ORDER BY ${ident('key')}`;
}

export interface ProcessorUseRow extends Record<string, string | number | null> {
  processor: string;
  invoices: number;
}

/** Processors the bill run should charge through: default methods of auto-pay accounts invoiced now, cards not expired. */
export function processorsToCharge(billDate: string): Fragment {
  return sql`SELECT pm.processor AS processor, COUNT(*) AS invoices
FROM invoices i JOIN accounts a ON a.id = i.account_id
JOIN payment_methods pm ON pm.id = (SELECT MIN(d.id) FROM payment_methods d WHERE d.account_id = a.id AND d.is_default = 1)
WHERE i.bill_date = ${billDate} AND a.auto_pay = 1 AND i.total_cents > 0 AND (pm.kind <> 'card' OR pm.card_expiry IS NULL OR pm.card_expiry >= ${billDate.slice(0, 7)})
GROUP BY pm.processor ORDER BY pm.processor`;
}

export interface ContactEmailRow extends Record<string, string | number | null> {
  contact_id: number;
  account_number: string;
  email: string;
}

/**
 * Every contact's e-mail address by contact row. The rehearsal copy's rows hold the masked value
 * of the same rows in production's result, so a production recipient maps to its masked form here.
 */
export function contactEmails(): Fragment {
  return sql`SELECT c.id AS contact_id, a.account_number AS account_number, c.email AS email
FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.email IS NOT NULL ORDER BY c.id`;
}

export interface SettingRow extends Record<string, string | number | null> {
  value: string;
}

/** The switches the platform provisions, as its `provisioning.hosts` setting lists them (`host:port,host:port`). */
export function provisioningTargetsSetting(): Fragment {
  return sql`SELECT value FROM settings WHERE ${ident('key')} = 'provisioning.hosts'`;
}

/** `host:port` of each switch in the setting's order: the order is what names a switch on both sides. */
export function parseProvisioningTargets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase().replace(/^\[(.*)\](:\d+)$/, '$1$2'))
    .filter((part) => part !== '');
}

/** The currency the platform bills in. */
export function billingCurrency(): Fragment {
  return sql`SELECT value FROM settings WHERE ${ident('key')} = 'billing.currency'`;
}

export interface ChargeEligibilityRow extends Record<string, string | number | null> {
  invoice_number: string;
  account_number: string;
  total_cents: number;
  /** Why auto-pay must not charge this invoice; null when it must. */
  ineligible: string | null;
  /** Processor of the default payment method, if any. */
  processor: string | null;
}

/** Every invoice of this bill run with whether auto-pay may charge it, and why not. */
export function chargeEligibility(billDate: string): Fragment {
  return sql`SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, i.total_cents AS total_cents,
  CASE WHEN a.auto_pay = 0 THEN 'auto-pay is off'
       WHEN i.total_cents <= 0 THEN 'nothing to pay'
       WHEN pm.id IS NULL THEN 'no default payment method'
       WHEN pm.kind = 'card' AND pm.card_expiry IS NOT NULL AND pm.card_expiry < ${billDate.slice(0, 7)} THEN 'card expired'
       ELSE NULL END AS ineligible,
  pm.processor AS processor
FROM invoices i JOIN accounts a ON a.id = i.account_id
LEFT JOIN payment_methods pm ON pm.id = (SELECT MIN(d.id) FROM payment_methods d WHERE d.account_id = a.id AND d.is_default = 1)
WHERE i.bill_date = ${billDate} ORDER BY i.invoice_number`;
}

export interface RecordedPaymentRow extends Record<string, string | number | null> {
  invoice_number: string;
  account_number: string;
  /** Positive: what the payment took off the balance. */
  amount_cents: number;
  /** Processor of the account's default payment method, the one auto-pay charges. */
  processor: string | null;
}

/** Payments the platform recorded against this bill run's invoices. */
export function recordedPayments(billDate: string): Fragment {
  return sql`SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, -t.amount_cents AS amount_cents,
  (SELECT MIN(pm.processor) FROM payment_methods pm WHERE pm.account_id = t.account_id AND pm.is_default = 1) AS processor
FROM transactions t JOIN invoices i ON i.invoice_number = t.reference JOIN accounts a ON a.id = t.account_id
WHERE t.kind = 'payment' AND i.bill_date = ${billDate} ORDER BY i.invoice_number, t.id`;
}

export interface MailedInvoiceRow extends Record<string, string | number | null> {
  invoice_number: string;
  account_number: string;
  /** The primary contact's address, where the platform mails invoices. */
  email: string | null;
}

/**
 * Invoices of this bill run the platform counts as mailed: the sample records no sent flag, only
 * a failed `Email` event naming the invoice when sending failed, so every other invoice is mailed.
 */
export function invoicesMarkedMailed(billDate: string): Fragment {
  return sql`SELECT i.invoice_number AS invoice_number, a.account_number AS account_number,
  (SELECT MIN(c.email) FROM contacts c WHERE c.account_id = i.account_id AND c.is_primary = 1) AS email
FROM invoices i JOIN accounts a ON a.id = i.account_id
WHERE i.bill_date = ${billDate} AND NOT EXISTS (
  SELECT 1 FROM event_log e WHERE e.account_id = i.account_id AND e.module = 'Email' AND e.result = 'failed' AND e.message LIKE concat(i.invoice_number, '%'))
ORDER BY i.invoice_number`;
}

export interface PackageToProvisionRow extends Record<string, string | number | null> {
  user_package_id: number;
  account_number: string;
  /** What the provisioning request names the package by. */
  provisioning_code: string;
}

/** Package changes the bill run on `billDate` must push to the switches (read before the bill run). */
export function packagesToProvision(billDate: string): Fragment {
  return sql`SELECT up.id AS user_package_id, a.account_number AS account_number, COALESCE(p.provisioning_code, p.code) AS provisioning_code
FROM user_packages up JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
WHERE up.provisioning_status = 'pending' AND up.status <> 'cancelled' AND a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages due WHERE due.account_id = a.id AND due.status = 'active' AND due.next_bill_date <= ${billDate})
ORDER BY up.id`;
}

export interface IdRow extends Record<string, string | number | null> {
  id: number;
}

/** Packages still waiting to be provisioned. */
export function pendingPackageIds(): Fragment {
  return sql`SELECT id FROM user_packages WHERE provisioning_status = 'pending' ORDER BY id`;
}
