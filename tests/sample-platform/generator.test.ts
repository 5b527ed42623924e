import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { generateSnapshot } from '../../sample-platform/generator/generate.js';
import { isLuhnValid } from '../../sample-platform/generator/payment-data.js';
import { BILL_DATE, makeSnapshot, one, query, tableHash, tempDir, userTables } from './helpers.js';

const dir = tempDir(t);
const snapshot = makeSnapshot(dir, 400, 42, 'a.db');

t.test('the same seed and size give the same data, table by table', async (t) => {
  const again = makeSnapshot(dir, 400, 42, 'b.db');
  const tables = userTables(snapshot);
  t.ok(tables.includes('accounts') && tables.includes('usage_records'));
  for (const table of tables) t.equal(tableHash(again, table), tableHash(snapshot, table), table);
});

t.test('another seed gives other people, payments and usage', async (t) => {
  const other = makeSnapshot(dir, 400, 43, 'c.db');
  for (const table of ['accounts', 'contacts', 'payment_methods', 'usage_records', 'user_packages']) {
    t.not(tableHash(other, table), tableHash(snapshot, table), table);
  }
  t.equal(tableHash(other, 'packages'), tableHash(snapshot, 'packages'), 'the catalogue is fixed');
});

t.test('the file is a complete rollback-journal database', async (t) => {
  t.equal(one<{ journal_mode: string }>(snapshot, 'PRAGMA journal_mode').journal_mode, 'delete');
  t.notOk(existsSync(`${snapshot}-wal`));
  t.notOk(existsSync(`${snapshot}-journal`));
  t.equal(one<{ n: number }>(snapshot, 'SELECT COUNT(*) AS n FROM accounts').n, 400);
});

t.test('the fixed accounts are built as the example plan expects', async (t) => {
  const account = (n: number) =>
    one<{ id: number; status: string; bill_day: number; auto_pay: number; parent_id: number | null }>(
      snapshot,
      'SELECT id, status, bill_day, auto_pay, parent_id FROM accounts WHERE account_number = ?',
      `ACC-${String(n).padStart(6, '0')}`,
    );

  const first = query<{ period: string; discount_id: number | null; price_plan_id: number | null; next_bill_date: string }>(
    snapshot,
    `SELECT p.period, up.discount_id, up.price_plan_id, up.next_bill_date FROM user_packages up JOIN packages p ON p.id = up.package_id
     WHERE up.account_id = ?`,
    account(1).id,
  );
  t.equal(first.length, 10, 'ACC-000001 has ten packages');
  t.same(new Set(first.map((p) => p.period)), new Set(['monthly', 'yearly', 'once']));
  t.equal(first.filter((p) => p.discount_id !== null).length, 1, 'one discount');
  t.equal(first.filter((p) => p.price_plan_id !== null).length, 1, 'one price plan');
  t.ok(first.every((p) => p.next_bill_date === BILL_DATE), 'all due on the bill date');

  const parent = account(2);
  const bucket = one<{ included_minutes: number }>(snapshot, 'SELECT included_minutes FROM minute_buckets WHERE account_id = ?', parent.id);
  const children = query<{ id: number; minutes: number }>(
    snapshot,
    `SELECT a.id, SUM(u.minutes) AS minutes FROM accounts a JOIN usage_records u ON u.account_id = a.id
     WHERE a.parent_id = ? GROUP BY a.id ORDER BY a.id`,
    parent.id,
  );
  t.same(children.map((c) => c.id), [3, 4, 5, 6, 7], 'ACC-000003..7 are its children');
  t.ok(children.every((c) => c.minutes < bucket.included_minutes), 'each child alone stays within the pool');
  t.ok(children.reduce((s, c) => s + c.minutes, 0) > bucket.included_minutes, 'together they exceed it');

  const expired = one<{ card_expiry: string }>(snapshot, "SELECT card_expiry FROM payment_methods WHERE account_id = 8 AND kind = 'card'");
  t.ok(expired.card_expiry < BILL_DATE.slice(0, 7), 'ACC-000008 card expired');
  t.equal(account(8).auto_pay, 1);
  t.equal(account(9).status, 'cancelled');
  t.not(account(10).bill_day, 1, 'ACC-000010 bills on another day');
  t.ok(
    query<{ next_bill_date: string }>(snapshot, 'SELECT next_bill_date FROM user_packages WHERE account_id = 10').every(
      (p) => p.next_bill_date > BILL_DATE,
    ),
  );
  t.equal(one<{ kind: string }>(snapshot, 'SELECT kind FROM payment_methods WHERE account_id = 11').kind, 'echeck');
  t.equal(account(11).auto_pay, 1);
  const half = one<{ price_cents: number; percent: number }>(
    snapshot,
    `SELECT p.price_cents, d.percent FROM user_packages up JOIN packages p ON p.id = up.package_id JOIN discounts d ON d.id = up.discount_id
     WHERE up.account_id = 12`,
  );
  t.equal(half.percent, 50);
  t.equal(half.price_cents % 2, 1, 'an odd-cent price, so half of it ends in half a cent');
});

t.test('the random accounts have the documented mix', async (t) => {
  const share = (sql: string) => one<{ n: number }>(snapshot, sql).n / 400;
  t.ok(share("SELECT COUNT(*) AS n FROM accounts WHERE bill_day = 1") > 0.75, 'most bill on the bill date');
  t.ok(share("SELECT COUNT(*) AS n FROM accounts WHERE status = 'cancelled'") < 0.08);
  t.ok(share("SELECT COUNT(DISTINCT account_id) AS n FROM payment_methods WHERE kind = 'echeck'") > 0.01);
  t.ok(share('SELECT COUNT(*) AS n FROM accounts WHERE auto_pay = 1') > 0.2);
  t.ok(share("SELECT COUNT(DISTINCT account_id) AS n FROM user_packages WHERE provisioning_status = 'pending'") > 0);
  t.ok(
    share(
      `SELECT COUNT(DISTINCT up.account_id) AS n FROM user_packages up JOIN packages p ON p.id = up.package_id
       WHERE p.period = 'yearly' AND up.next_bill_date = '${BILL_DATE}'`,
    ) > 0.04,
  );
  const usage = query<{ usage_date: string }>(snapshot, 'SELECT DISTINCT usage_date FROM usage_records');
  t.ok(usage.every((u) => u.usage_date >= '2026-10-01' && u.usage_date < BILL_DATE), 'usage lies in the month before');
});

t.test('personal and payment data look real but are fake', async (t) => {
  const cards = query<{ card_number: string; card_last4: string; card_token: string; processor: string }>(
    snapshot,
    "SELECT card_number, card_last4, card_token, processor FROM payment_methods WHERE kind = 'card'",
  );
  t.ok(cards.length > 50);
  t.same(cards.filter((c) => !isLuhnValid(c.card_number) || !/^(4000|5100)\d{12}$/.test(c.card_number)), [], 'Luhn-valid test prefixes');
  t.same(cards.filter((c) => c.card_last4 !== c.card_number.slice(-4)), [], 'last4 matches the number');
  t.same(cards.filter((c) => !/^tok_[A-Za-z0-9]+$/.test(c.card_token)), [], 'tokens look like tokens');
  t.same(new Set(cards.map((c) => c.processor)), new Set(['authorizenet', 'stripe', 'paypal']));
  t.ok(
    query<{ email: string }>(snapshot, 'SELECT email FROM contacts').every((c) => /@[a-z0-9-]+\.example\.(com|net|org)$/.test(c.email)),
    'customer e-mails use made-up domains under example.*',
  );
  const settings = new Map(query<{ key: string; value: string }>(snapshot, 'SELECT key, value FROM settings').map((r) => [r.key, r.value]));
  t.equal(settings.get('gateway.stripe.url'), 'https://api.stripe.com/v1/charges');
  t.match(settings.get('gateway.paypal.api_key'), /^sk_live_/);
  t.equal(settings.get('provisioning.hosts'), '192.0.2.10:2208,192.0.2.11:5060');
  t.equal(settings.get('billing.tax_rate_bp'), '825');
  t.ok(query(snapshot, "SELECT 1 FROM event_log WHERE level IN ('warning', 'error') AND logged_at < ?", BILL_DATE).length >= 2);
  t.same(query(snapshot, 'SELECT key, value FROM platform_info ORDER BY key'), [
    { key: 'release', value: '7.4.2' },
    { key: 'schema', value: 'sample-1' },
  ]);
});

t.test('refuses options it cannot honour, with a message saying what to pass', async (t) => {
  t.throws(() => generateSnapshot({ accounts: 5, seed: 1, billDate: BILL_DATE, out: join(dir, 'x.db') }), UserError);
  t.throws(() => generateSnapshot({ accounts: 50, seed: 1, billDate: '2026-11-30', out: join(dir, 'x.db') }), /day 1 to 28/);
  t.throws(() => generateSnapshot({ accounts: 50, seed: 1, billDate: BILL_DATE, out: snapshot }), /Refusing to overwrite/);
  t.notOk(existsSync(join(dir, 'x.db')));
});
