import { portable } from './database/port.js';
import type { Statement } from './database/port.js';

/**
 * Every statement the billing service sends, in both dialects. Most are portable: `[key]` and
 * `[percent]` are bracketed because they are reserved words in T-SQL, and SQLite reads brackets
 * too. Where the engines differ (row limits, the id of an inserted row, the catalog), both texts
 * are written out here, side by side.
 */

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

export interface IdRow {
  readonly id: number;
}

export const STATEMENTS = {
  platformInfoTable: {
    sqlite: "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'platform_info'",
    tsql: "SELECT 1 AS present FROM sys.tables WHERE name = 'platform_info' AND schema_id = SCHEMA_ID('dbo')",
  },
  settings: portable('SELECT [key], value FROM settings'),

  administratorRole: portable("SELECT id FROM roles WHERE name = 'Administrator'"),
  // NOT EXISTS rather than INSERT OR IGNORE / MERGE: one text for both engines, same rows.
  addPermission: portable('INSERT INTO permissions (name) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE name = ?)'),
  permissionId: portable('SELECT id FROM permissions WHERE name = ?'),
  roleId: portable('SELECT id FROM roles WHERE name = ?'),
  grantPermission: portable(
    `INSERT INTO role_permissions (role_id, permission_id) SELECT ?, ?
     WHERE NOT EXISTS (SELECT 1 FROM role_permissions WHERE role_id = ? AND permission_id = ?)`,
  ),
  revokeFirstDirectGrants: portable('DELETE FROM staff_user_permissions WHERE staff_user_id = (SELECT MIN(staff_user_id) FROM staff_user_permissions)'),
  grantRefundToFirstReadOnlyUser: portable(
    `INSERT INTO staff_user_permissions (staff_user_id, permission_id)
     SELECT (SELECT MIN(u.id) FROM staff_users u JOIN roles r ON r.id = u.role_id WHERE r.name = 'ReadOnly' AND u.active = 1), p.id
     FROM permissions p WHERE p.name = 'Payments.Refund'`,
  ),
  setCurrencyToEuro: portable("UPDATE settings SET value = 'EUR' WHERE [key] = 'billing.currency'"),
  /** `sender-setting-migrated` and `sender-setting-reset-after-mail`: `smtp.from` set to the release's built-in sender. */
  setMailSender: portable("UPDATE settings SET value = ? WHERE [key] = 'smtp.from'"),
  setRelease: portable("UPDATE platform_info SET value = ? WHERE [key] = 'release'"),
  addRelease: portable("INSERT INTO platform_info ([key], value) VALUES ('release', ?)"),

  accountsToBill: portable(
    `SELECT DISTINCT a.id FROM accounts a JOIN user_packages up ON up.account_id = a.id
     WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ? ORDER BY a.id`,
  ),
  account: portable('SELECT id, account_number, parent_id, tax_exempt, auto_pay FROM accounts WHERE id = ?'),
  duePackages: portable(
    `SELECT up.id, p.code, p.name, p.period, COALESCE(pp.price_cents, p.price_cents) AS unit_price_cents, up.quantity,
            up.next_bill_date, d.name AS discount_name, d.[percent] AS discount_percent
     FROM user_packages up
     JOIN packages p ON p.id = up.package_id
     LEFT JOIN price_plans pp ON pp.id = up.price_plan_id
     LEFT JOIN discounts d ON d.id = up.discount_id
     WHERE up.account_id = ? AND up.status = 'active' AND up.next_bill_date <= ?
     ORDER BY up.id`,
  ),
  holdsPricePlan: portable('SELECT 1 AS present FROM user_packages up JOIN price_plans pp ON pp.id = up.price_plan_id WHERE up.account_id = ? AND pp.name = ?'),
  advancePackage: portable('UPDATE user_packages SET next_bill_date = ? WHERE id = ?'),
  completePackage: portable("UPDATE user_packages SET status = 'completed', next_bill_date = NULL WHERE id = ?"),
  monthlyAllowance: portable(
    `SELECT COALESCE(SUM(p.included_minutes), 0) AS included, COALESCE(MAX(p.overage_mills), 0) AS mills
     FROM user_packages up JOIN packages p ON p.id = up.package_id
     WHERE up.account_id = ? AND up.status = 'active' AND p.period = 'monthly'`,
  ),
  bucket: portable('SELECT id, included_minutes, overage_mills FROM minute_buckets WHERE account_id = ?'),
  children: portable('SELECT id FROM accounts WHERE parent_id = ? ORDER BY id'),
  unratedMinutes: portable(
    'SELECT COALESCE(SUM(minutes), 0) AS minutes FROM usage_records WHERE account_id = ? AND rated = 0 AND usage_date < ?',
  ),
  markRated: portable('UPDATE usage_records SET rated = 1 WHERE account_id = ? AND rated = 0 AND usage_date < ?'),
  setBucketUsed: portable('UPDATE minute_buckets SET used_minutes = ? WHERE id = ?'),
  insertInvoice: {
    sqlite: `INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    tsql: `INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at)
     OUTPUT INSERTED.id VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)`,
  },
  insertItem: portable('INSERT INTO invoice_items (invoice_id, user_package_id, kind, description, amount_cents) VALUES (?, ?, ?, ?, ?)'),
  insertTransaction: portable('INSERT INTO transactions (account_id, kind, amount_cents, reference, created_at) VALUES (?, ?, ?, ?, ?)'),
  addToBalance: portable('UPDATE accounts SET balance_cents = balance_cents + ? WHERE id = ?'),
  pendingProvisioning: portable(
    `SELECT up.id, COALESCE(p.provisioning_code, p.code) AS code FROM user_packages up JOIN packages p ON p.id = up.package_id
     WHERE up.account_id = ? AND up.provisioning_status = 'pending' AND up.status <> 'cancelled' ORDER BY up.id`,
  ),
  markProvisioned: portable("UPDATE user_packages SET provisioning_status = 'done' WHERE id = ?"),
  primaryEmail: {
    sqlite: 'SELECT email FROM contacts WHERE account_id = ? AND email IS NOT NULL ORDER BY is_primary DESC, id LIMIT 1',
    tsql: 'SELECT TOP (1) email FROM contacts WHERE account_id = @p0 AND email IS NOT NULL ORDER BY is_primary DESC, id',
  },
  /** The `mail-wrong-contact` fault: the contact list read the wrong way round, a secondary contact first. */
  secondaryFirstEmail: {
    sqlite: 'SELECT email FROM contacts WHERE account_id = ? AND email IS NOT NULL ORDER BY is_primary ASC, id LIMIT 1',
    tsql: 'SELECT TOP (1) email FROM contacts WHERE account_id = @p0 AND email IS NOT NULL ORDER BY is_primary ASC, id',
  },
  /** The `mail-contact-overwritten` fault: the address mailed is written over the account's primary contact's. */
  overwritePrimaryEmail: portable('UPDATE contacts SET email = ? WHERE account_id = ? AND is_primary = 1'),
  defaultPaymentMethod: {
    sqlite: `SELECT kind, processor, card_token, card_last4, card_expiry, bank_routing_number FROM payment_methods
     WHERE account_id = ? AND is_default = 1 ORDER BY id LIMIT 1`,
    tsql: `SELECT TOP (1) kind, processor, card_token, card_last4, card_expiry, bank_routing_number FROM payment_methods
     WHERE account_id = @p0 AND is_default = 1 ORDER BY id`,
  },
  insertEvent: portable(
    'INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ),
  insertBillRun: {
    sqlite: "INSERT INTO bill_runs (bill_date, [release], status, started_at) VALUES (?, ?, 'running', ?) RETURNING id",
    tsql: "INSERT INTO bill_runs (bill_date, [release], status, started_at) OUTPUT INSERTED.id VALUES (@p0, @p1, 'running', @p2)",
  },
  insertBillRunSetting: portable('INSERT INTO bill_run_settings (bill_run_id, name, value) VALUES (?, ?, ?)'),
  finishBillRun: portable('UPDATE bill_runs SET status = ?, finished_at = ?, accounts_billed = ? WHERE id = ?'),
} as const satisfies Record<string, Statement>;
