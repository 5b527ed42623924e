import t from 'tap';
import { addMonths } from '../../sample-platform/shared/dates.js';
import { divideRounded } from '../../sample-platform/shared/money.js';
import { DECLINED_ACCOUNT } from './fixtures/sinks.js';
import { BILL_DATE, billCopy, makeSnapshot, one, query, tableRows, tempDir } from './helpers.js';

const dir = tempDir(t);
const snapshot = makeSnapshot(dir, 80, 7);
const online = await billCopy(snapshot, dir, 'production-online', { sinks: true });
const offline = await billCopy(snapshot, dir, 'production-offline');
/** Event log rows above this id were written by the bill run under test. */
const lastEventId = one<{ id: number }>(snapshot, 'SELECT MAX(id) AS id FROM event_log').id;

interface Item {
  kind: string;
  amount_cents: number;
  user_package_id: number | null;
}

function itemsOf(db: string, accountNumber: string): Item[] {
  return query<Item>(
    db,
    `SELECT ii.kind, ii.amount_cents, ii.user_package_id FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id
     JOIN accounts a ON a.id = i.account_id WHERE a.account_number = ? ORDER BY ii.id`,
    accountNumber,
  );
}

const invoiceCount = (db: string, accountNumber: string) =>
  one<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE a.account_number = ?', accountNumber).n;

t.test('both production runs complete and exit cleanly', async (t) => {
  for (const run of [online, offline]) {
    t.equal(run.result.state, 'completed');
    t.equal(run.result.exit.code, 0);
    t.equal(run.result.processed, run.result.total);
    t.match(query(run.db, 'SELECT release, status, accounts_billed FROM bill_runs WHERE id = ?', run.result.billRunId), [
      { release: '7.4.2', status: 'completed', accounts_billed: run.result.total },
    ]);
    t.same(
      query(run.db, "SELECT action FROM event_log WHERE module = 'BillRun' AND id > ? ORDER BY id", lastEventId),
      [{ action: 'Start' }, { action: 'Complete' }],
    );
  }
});

t.test('outbound failures change nothing that was billed', async (t) => {
  for (const table of ['invoices', 'invoice_items', 'minute_buckets', 'usage_records']) {
    t.same(tableRows(offline.db, table, ['created_at']), tableRows(online.db, table, ['created_at']), table);
  }
});

t.test('each billed package moves on by its period; once packages complete', async (t) => {
  const before = query<{ id: number; period: string; next_bill_date: string | null; account_status: string; status: string }>(
    snapshot,
    `SELECT up.id, p.period, up.next_bill_date, a.status AS account_status, up.status FROM user_packages up
     JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = up.account_id ORDER BY up.id`,
  );
  const after = new Map(
    query<{ id: number; next_bill_date: string | null; status: string }>(online.db, 'SELECT id, next_bill_date, status FROM user_packages').map((r) => [r.id, r]),
  );
  let checked = 0;
  for (const pkg of before) {
    const now = after.get(pkg.id);
    const due = pkg.account_status === 'active' && pkg.status === 'active' && pkg.next_bill_date !== null && pkg.next_bill_date <= BILL_DATE;
    if (!due) {
      t.same(now, { id: pkg.id, next_bill_date: pkg.next_bill_date, status: pkg.status }, `package ${pkg.id} not due, unchanged`);
      continue;
    }
    checked++;
    const expected =
      pkg.period === 'once'
        ? { id: pkg.id, next_bill_date: null, status: 'completed' }
        : { id: pkg.id, next_bill_date: addMonths(pkg.next_bill_date as string, pkg.period === 'monthly' ? 1 : 12), status: 'active' };
    t.same(now, expected, `package ${pkg.id} (${pkg.period})`);
  }
  t.ok(checked > 50);
});

t.test('a discount is a negative item of round(base x percent / 100)', async (t) => {
  const items = itemsOf(online.db, 'ACC-000001');
  const voice = items.find((i) => i.kind === 'recurring' && i.amount_cents === 2999);
  t.ok(voice, 'Voice 500 billed at list price');
  t.same(
    items.filter((i) => i.kind === 'discount'),
    [{ kind: 'discount', amount_cents: -300, user_package_id: voice?.user_package_id ?? -1 }],
    '10% of 29.99 is 2.999, so 3.00 off',
  );
});

t.test('a price plan replaces the package price', async (t) => {
  const items = itemsOf(online.db, 'ACC-000001');
  t.ok(items.some((i) => i.kind === 'recurring' && i.amount_cents === 5497), 'Internet 250 at the loyalty price 54.97');
  t.notOk(items.some((i) => i.amount_cents === 5997), 'not at the list price 59.97');
});

t.test('quantities multiply and usage over the allowance is rated per account', async (t) => {
  const items = itemsOf(online.db, 'ACC-000001');
  t.ok(items.some((i) => i.kind === 'recurring' && i.amount_cents === 1598), 'two lines at 7.99');
  t.same(items.filter((i) => i.kind === 'usage').map((i) => i.amount_cents), [56], '37 minutes over 500 at 1.5 cents is 55.5, so 56');
});

t.test('a minute pool rates the whole family once, on the parent', async (t) => {
  t.same(itemsOf(online.db, 'ACC-000002').filter((i) => i.kind === 'usage').map((i) => i.amount_cents), [293], '117 over at 2.5 cents');
  t.equal(one<{ used_minutes: number }>(online.db, 'SELECT used_minutes FROM minute_buckets WHERE account_id = 2').used_minutes, 1117);
  for (const child of ['ACC-000003', 'ACC-000004', 'ACC-000005', 'ACC-000006', 'ACC-000007']) {
    t.equal(invoiceCount(online.db, child), 1, `${child} billed for its own line`);
    t.same(itemsOf(online.db, child).filter((i) => i.kind === 'usage'), [], `${child} has no usage item of its own`);
  }
  t.same(query(online.db, 'SELECT id FROM usage_records WHERE account_id BETWEEN 2 AND 7 AND rated = 0'), [], 'family usage rated');
});

t.test('exact half cents round away from zero', async (t) => {
  const discount = itemsOf(online.db, 'ACC-000012').filter((i) => i.kind === 'discount');
  t.same(discount.map((i) => i.amount_cents), [-2999], '50% of 59.97 is 29.985, so 29.99 off');
});

t.test('tax is round(items x 8.25%) unless tax-exempt, and totals add up', async (t) => {
  t.same(itemsOf(online.db, 'ACC-000001').filter((i) => i.kind === 'tax').map((i) => i.amount_cents), [5795]);
  const invoices = query<{ id: number; subtotal_cents: number; discount_cents: number; tax_cents: number; total_cents: number; tax_exempt: number }>(
    online.db,
    'SELECT i.id, subtotal_cents, discount_cents, tax_cents, total_cents, a.tax_exempt FROM invoices i JOIN accounts a ON a.id = i.account_id',
  );
  t.ok(invoices.length > 50);
  for (const invoice of invoices) {
    const items = query<{ kind: string; amount_cents: number }>(online.db, 'SELECT kind, amount_cents FROM invoice_items WHERE invoice_id = ?', invoice.id);
    const sum = (kinds: string[]) => items.filter((i) => kinds.includes(i.kind)).reduce((s, i) => s + i.amount_cents, 0);
    const beforeTax = sum(['recurring', 'one-time', 'usage', 'discount']);
    const expectedTax = invoice.tax_exempt ? 0 : divideRounded(beforeTax * 825, 10000, 'half-up');
    if (invoice.tax_cents !== expectedTax || sum(['tax']) !== expectedTax) t.fail(`invoice ${invoice.id} tax`);
    if (invoice.subtotal_cents !== sum(['recurring', 'one-time', 'usage'])) t.fail(`invoice ${invoice.id} subtotal`);
    if (invoice.discount_cents !== -sum(['discount'])) t.fail(`invoice ${invoice.id} discount`);
    if (invoice.total_cents !== invoice.subtotal_cents - invoice.discount_cents + invoice.tax_cents) t.fail(`invoice ${invoice.id} total`);
  }
  t.pass('every invoice checked');
});

t.test('balances move by the invoice total less approved payments', async (t) => {
  const before = new Map(query<{ id: number; balance_cents: number }>(snapshot, 'SELECT id, balance_cents FROM accounts').map((r) => [r.id, r.balance_cents]));
  const rows = query<{ id: number; balance_cents: number; moved: number }>(
    online.db,
    'SELECT a.id, a.balance_cents, COALESCE((SELECT SUM(amount_cents) FROM transactions t WHERE t.account_id = a.id), 0) AS moved FROM accounts a',
  );
  t.same(rows.filter((r) => r.balance_cents !== (before.get(r.id) ?? 0) + r.moved), []);
  t.ok(query(online.db, "SELECT 1 FROM transactions WHERE kind = 'payment'").length > 5, 'auto-pay charges were approved');
});

t.test('a cancelled account is not billed', async (t) => {
  t.equal(invoiceCount(online.db, 'ACC-000009'), 0);
  t.same(query(online.db, 'SELECT next_bill_date FROM user_packages WHERE account_id = 9'), query(snapshot, 'SELECT next_bill_date FROM user_packages WHERE account_id = 9'));
  t.ok(query(online.db, 'SELECT 1 FROM usage_records WHERE account_id = 9 AND rated = 0').length > 0, 'its usage is left unrated');
});

t.test('an account billed on another day is not billed', async (t) => {
  t.equal(invoiceCount(online.db, 'ACC-000010'), 0);
  t.same(query(online.db, 'SELECT next_bill_date FROM user_packages WHERE account_id = 10'), query(snapshot, 'SELECT next_bill_date FROM user_packages WHERE account_id = 10'));
});

t.test('an expired card is not charged and leaves a warning', async (t) => {
  t.match(query(online.db, "SELECT level, module, result, message FROM event_log WHERE account_id = 8 AND id > ?", lastEventId), [
    { level: 'warning', module: 'Payments', result: 'failed', message: /card expired/ },
  ]);
  t.same(query(online.db, "SELECT 1 FROM transactions WHERE account_id = 8 AND kind = 'payment'"), []);
  t.notOk(online.captures.some((c) => c.kind === 'charge' && c.body.includes('ACC-000008')), 'no charge request sent');
});

t.test('invoices are mailed, charges carry no card number, switches get pending packages', async (t) => {
  const mails = online.captures.filter((c) => c.kind === 'mail');
  t.equal(mails.length, one<{ n: number }>(online.db, 'SELECT COUNT(*) AS n FROM invoices').n, 'one mail per invoice');
  const first = mails.find((m) => m.kind === 'mail' && m.data.includes('INV-2026-11-01-ACC-000001'));
  const email = one<{ email: string }>(snapshot, 'SELECT email FROM contacts WHERE account_id = 1 AND is_primary = 1').email;
  t.match(first, { from: 'billing@northwind-telecom.example', to: [email], data: /Subject: Invoice INV-2026-11-01-ACC-000001[\s\S]*760\.32 USD/ });

  const charges = online.captures.filter((c) => c.kind === 'charge');
  const cardNumbers = query<{ card_number: string }>(snapshot, "SELECT card_number FROM payment_methods WHERE kind = 'card'").map((r) => r.card_number);
  t.ok(charges.length > 5);
  t.notOk(charges.some((c) => c.kind === 'charge' && cardNumbers.some((n) => c.body.includes(n))), 'no full card number leaves');
  t.ok(charges.every((c) => c.kind === 'charge' && /^Bearer sk_live_/.test(c.authorization)), 'api key in the Authorization header');
  const echeck = charges.find((c) => c.kind === 'charge' && c.body.includes('ACC-000011'));
  t.match(echeck && JSON.parse(echeck.kind === 'charge' ? echeck.body : '{}'), { amount_cents: Number, currency: 'USD', routing_last4: /^\d{4}$/ });
  t.match(query(online.db, "SELECT module, message FROM event_log WHERE level = 'warning' AND account_id = 12 AND id > ?", lastEventId), [
    { module: 'Payments', message: /declined/ },
  ], `the gateway's decline for ${DECLINED_ACCOUNT} is a warning`);

  const pending = query<{ id: number }>(snapshot, "SELECT id FROM user_packages WHERE provisioning_status = 'pending' AND account_id IN (SELECT id FROM accounts WHERE status = 'active')");
  t.ok(pending.length > 0);
  t.same(query(online.db, "SELECT id FROM user_packages WHERE provisioning_status = 'pending' AND account_id IN (SELECT id FROM accounts WHERE status = 'active')"), []);
  const lines = online.captures.filter((c) => c.kind === 'switch');
  t.equal(lines.length, pending.length * 2, 'each pending package sent to both switches');
  t.ok(lines.some((c) => c.kind === 'switch' && c.line === 'PROVISION account=ACC-000001 package=INSTALL action=activate'));
  t.same(query(online.db, "SELECT 1 FROM event_log WHERE level = 'error' AND id > ?", lastEventId), [], 'no errors');
});

t.test('with no network every outbound step fails as a warning and the run still completes', async (t) => {
  const warnings = query<{ module: string; result: string; account_id: number | null }>(
    offline.db,
    "SELECT module, result, account_id FROM event_log WHERE level = 'warning' AND id > ?", lastEventId,
  );
  // Invoices/Render warns of every mailed eCheck invoice, online or not (its template lacks the slip).
  t.same(new Set(warnings.map((w) => w.module)), new Set(['Email', 'Invoices', 'Payments', 'Provisioning']));
  t.ok(warnings.every((w) => w.result === 'failed' && w.account_id !== null));
  t.same(query(offline.db, "SELECT 1 FROM event_log WHERE level = 'error' AND id > ?", lastEventId), []);
  t.same(query(offline.db, "SELECT 1 FROM transactions WHERE kind = 'payment'"), []);
  t.ok(query(offline.db, "SELECT 1 FROM user_packages WHERE provisioning_status = 'pending'").length > 0, 'nothing provisioned');
});

t.test('2,000 accounts bill well within 10 s when nothing answers', async (t) => {
  const large = makeSnapshot(dir, 2000, 21, 'large.db');
  const run = await billCopy(large, dir, 'large-offline');
  t.equal(run.result.state, 'completed');
  const times = one<{ started_at: string; finished_at: string }>(run.db, 'SELECT started_at, finished_at FROM bill_runs WHERE id = ?', run.result.billRunId);
  const seconds = (Date.parse(times.finished_at) - Date.parse(times.started_at)) / 1000;
  t.ok(seconds < 10, `billed ${run.result.total} accounts in ${seconds} s`);
});
