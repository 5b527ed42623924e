import { sql, ident, join, type Fragment } from '../sql/fragment.js';
import type { Dialect } from '../sql/dialect.js';

/**
 * Where the sample platform keeps each billing concept, as queries. Verification asks these
 * questions only through a profile, so another platform (EngageIP) is a new profile, not new checks.
 */

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
  next_bill_dates: string | null;
}

/**
 * Every account's bill-run outcome keyed by account number (a stable key, not a row id), sorted so
 * that two databases can be compared by merging two streams in one pass.
 */
export function comparableAccounts(dialect: Dialect, billDate: string): Fragment {
  const nextBillDates = dialect.orderedConcat(
    sql`concat(p.code, ':', COALESCE(up.next_bill_date, '-'), ':', up.status)`,
    sql`p.code, up.start_date, up.next_bill_date`,
  );
  return sql`SELECT a.account_number AS account_number, a.balance_cents AS balance_cents,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = ${billDate}) AS invoice_total_cents,
  (SELECT COALESCE(SUM(t.amount_cents), 0) FROM transactions t JOIN invoices i ON i.invoice_number = t.reference
   WHERE t.account_id = a.id AND t.kind = 'payment' AND i.account_id = a.id AND i.bill_date = ${billDate}) AS bill_run_payments_cents,
  (SELECT ${nextBillDates} FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS next_bill_dates
FROM accounts a ORDER BY a.account_number`;
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
