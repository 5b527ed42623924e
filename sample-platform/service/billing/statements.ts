import type Database from 'better-sqlite3';

export interface DuePackage {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly period: 'monthly' | 'yearly' | 'once';
  readonly unit_price_cents: number;
  readonly quantity: number;
  readonly next_bill_date: string;
  readonly discount_name: string | null;
  readonly discount_percent: number | null;
}

export interface AccountRow {
  readonly id: number;
  readonly account_number: string;
  readonly parent_id: number | null;
  readonly tax_exempt: number;
  readonly auto_pay: number;
}

export interface BucketRow {
  readonly id: number;
  readonly included_minutes: number;
  readonly overage_mills: number;
}

/** Every statement the bill run uses, prepared once per run. */
export function prepareStatements(db: Database.Database) {
  return {
    accountsToBill: db.prepare(
      `SELECT DISTINCT a.id FROM accounts a JOIN user_packages up ON up.account_id = a.id
       WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ? ORDER BY a.id`,
    ),
    account: db.prepare('SELECT id, account_number, parent_id, tax_exempt, auto_pay FROM accounts WHERE id = ?'),
    duePackages: db.prepare(
      `SELECT up.id, p.code, p.name, p.period, COALESCE(pp.price_cents, p.price_cents) AS unit_price_cents, up.quantity,
              up.next_bill_date, d.name AS discount_name, d.percent AS discount_percent
       FROM user_packages up
       JOIN packages p ON p.id = up.package_id
       LEFT JOIN price_plans pp ON pp.id = up.price_plan_id
       LEFT JOIN discounts d ON d.id = up.discount_id
       WHERE up.account_id = ? AND up.status = 'active' AND up.next_bill_date <= ?
       ORDER BY up.id`,
    ),
    advancePackage: db.prepare('UPDATE user_packages SET next_bill_date = ? WHERE id = ?'),
    completePackage: db.prepare("UPDATE user_packages SET status = 'completed', next_bill_date = NULL WHERE id = ?"),
    monthlyAllowance: db.prepare(
      `SELECT COALESCE(SUM(p.included_minutes), 0) AS included, COALESCE(MAX(p.overage_mills), 0) AS mills
       FROM user_packages up JOIN packages p ON p.id = up.package_id
       WHERE up.account_id = ? AND up.status = 'active' AND p.period = 'monthly'`,
    ),
    bucket: db.prepare('SELECT id, included_minutes, overage_mills FROM minute_buckets WHERE account_id = ?'),
    children: db.prepare('SELECT id FROM accounts WHERE parent_id = ? ORDER BY id'),
    unratedMinutes: db.prepare(
      'SELECT COALESCE(SUM(minutes), 0) AS minutes FROM usage_records WHERE account_id = ? AND rated = 0 AND usage_date < ?',
    ),
    markRated: db.prepare('UPDATE usage_records SET rated = 1 WHERE account_id = ? AND rated = 0 AND usage_date < ?'),
    setBucketUsed: db.prepare('UPDATE minute_buckets SET used_minutes = ? WHERE id = ?'),
    insertInvoice: db.prepare(
      `INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertItem: db.prepare(
      'INSERT INTO invoice_items (invoice_id, user_package_id, kind, description, amount_cents) VALUES (?, ?, ?, ?, ?)',
    ),
    insertTransaction: db.prepare(
      'INSERT INTO transactions (account_id, kind, amount_cents, reference, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    addToBalance: db.prepare('UPDATE accounts SET balance_cents = balance_cents + ? WHERE id = ?'),
    pendingProvisioning: db.prepare(
      `SELECT up.id, COALESCE(p.provisioning_code, p.code) AS code FROM user_packages up JOIN packages p ON p.id = up.package_id
       WHERE up.account_id = ? AND up.provisioning_status = 'pending' AND up.status <> 'cancelled' ORDER BY up.id`,
    ),
    markProvisioned: db.prepare("UPDATE user_packages SET provisioning_status = 'done' WHERE id = ?"),
    primaryEmail: db.prepare(
      'SELECT email FROM contacts WHERE account_id = ? AND email IS NOT NULL ORDER BY is_primary DESC, id LIMIT 1',
    ),
    defaultPaymentMethod: db.prepare(
      `SELECT kind, processor, card_token, card_last4, card_expiry, bank_routing_number FROM payment_methods
       WHERE account_id = ? AND is_default = 1 ORDER BY id LIMIT 1`,
    ),
    insertEvent: db.prepare(
      'INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertBillRun: db.prepare("INSERT INTO bill_runs (bill_date, release, status, started_at) VALUES (?, ?, 'running', ?)"),
    finishBillRun: db.prepare('UPDATE bill_runs SET status = ?, finished_at = ?, accounts_billed = ? WHERE id = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
