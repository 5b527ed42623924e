import t from 'tap';
import { FAULTS } from '../../sample-platform/service/releases.js';
import type { Fault } from '../../sample-platform/service/releases.js';
import { SAMPLE_ADAPTER, SAMPLE_PROFILE } from '../helpers/sample-profile.js';
import { resultCopies, withEngines } from '../helpers/result-copies.js';
import { checkEventLog } from '../../src/checks/event-log.js';

const SAMPLE_PLATFORM_FAULTS = SAMPLE_ADAPTER.regressionSwitches?.switches ?? [];
import { BILL_DATE, billCopy, makeSnapshot, one, query, tableRows, tempDir, userTables } from './helpers.js';
import type { BilledCopy } from './helpers.js';

const dir = tempDir(t);
const snapshot = makeSnapshot(dir, 120, 5);
/** Tables the candidate changes by being the candidate (migration, its version on the run). */
const RELEASE_TABLES = ['bill_runs', 'permissions', 'platform_info', 'role_permissions'];
/** Wall-clock columns and free text that names the release. */
const VOLATILE: Record<string, string[]> = {
  invoices: ['created_at'],
  transactions: ['created_at', 'id'],
  event_log: ['logged_at', 'message', 'id'],
};

const production = await billCopy(snapshot, dir, 'production', { sinks: true });
const candidate = await billCopy(snapshot, dir, 'candidate', { release: 'candidate', sinks: true });
const faulty = new Map<Fault, BilledCopy>();
/** Services starting at once: each is a node process in its own namespace, and all at once missed their ready time. */
const IN_FLIGHT = 4;
/**
 * The switches whose bill runs this file inspects table by table. The others are rehearsed whole
 * in tests/pipeline/ and by `npm run mutants`; billing them here too cost most of this file's time.
 */
const INSPECTED: readonly Fault[] = [
  'yearly-next-bill-date-not-advanced',
  'discount-dropped',
  'pool-minutes-per-child',
  'rounding-half-down',
  'event-log-error',
  'provisioning-failed',
  'business-voice-tax-rate',
  'staff-direct-grant-revoked',
  'staff-direct-grant-added',
  'render-warnings-few',
  'missing-email-warnings-few',
];
const queue = [...INSPECTED];
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    for (let fault = queue.shift(); fault !== undefined; fault = queue.shift()) {
      faulty.set(fault, await billCopy(snapshot, dir, fault, { release: 'candidate', faults: [fault], sinks: true }));
    }
  }),
);

/** Rows as a sorted list, since outbound results land in completion order. */
function rowsOf(db: string, table: string): string[] {
  return tableRows(db, table, VOLATILE[table] ?? []).map((r) => JSON.stringify(r)).sort();
}

function tablesThatDiffer(a: string, b: string): string[] {
  return userTables(a).filter((table) => !RELEASE_TABLES.includes(table) && JSON.stringify(rowsOf(a, table)) !== JSON.stringify(rowsOf(b, table)));
}

/**
 * Tables the fault run changed that it should not have (`unexpected`), and tables in `must` it
 * left alone (`unchanged`). Balances, for one, move only where auto-pay does not settle the invoice,
 * so they are in `may`.
 */
function compareToProduction(db: string, must: string[], may: string[] = []): { unexpected: string[]; unchanged: string[] } {
  const differ = tablesThatDiffer(db, production.db);
  return {
    unexpected: differ.filter((table) => !must.includes(table) && !may.includes(table)),
    unchanged: must.filter((table) => !differ.includes(table)),
  };
}

const NOTHING_ELSE = { unexpected: [], unchanged: [] };

function item(db: string, accountNumber: string, kind: string): number[] {
  return query<{ amount_cents: number }>(
    db,
    `SELECT ii.amount_cents FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id JOIN accounts a ON a.id = i.account_id
     WHERE a.account_number = ? AND ii.kind = ? ORDER BY ii.id`,
    accountNumber,
    kind,
  ).map((r) => r.amount_cents);
}

/** Event log rows above this id were written by the bill runs under test. */
const lastEventId = one<{ id: number }>(snapshot, 'SELECT MAX(id) AS id FROM event_log').id;

const run = (fault: Fault): string => {
  const found = faulty.get(fault);
  if (found?.result.state !== 'completed') throw new Error(`the ${fault} bill run did not complete`);
  return found.db;
};

t.test('the product knows exactly the fault switches the candidate has', async (t) => {
  t.same([...SAMPLE_PLATFORM_FAULTS].sort(), [...FAULTS].sort());
});

t.test('the candidate without faults bills exactly like production', async (t) => {
  t.same(tablesThatDiffer(candidate.db, production.db), []);
  t.same(query(candidate.db, 'SELECT release FROM bill_runs ORDER BY id DESC LIMIT 1'), [{ release: '7.5.0' }]);
});

t.test('yearly-next-bill-date-not-advanced keeps yearly dates and changes nothing else', async (t) => {
  const db = run('yearly-next-bill-date-not-advanced');
  t.same(compareToProduction(db, ['user_packages']), NOTHING_ELSE);
  const yearlyDue = query<{ id: number; next_bill_date: string }>(
    snapshot,
    `SELECT up.id, up.next_bill_date FROM user_packages up JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = up.account_id
     WHERE p.period = 'yearly' AND up.status = 'active' AND a.status = 'active' AND up.next_bill_date <= '2026-11-01' ORDER BY up.id`,
  );
  t.ok(yearlyDue.length >= 3);
  t.same(query(db, `SELECT id, next_bill_date FROM user_packages WHERE id IN (${yearlyDue.map((p) => p.id).join(',')}) ORDER BY id`), yearlyDue);
  const changed = query<{ id: number }>(production.db, 'SELECT id, next_bill_date FROM user_packages ORDER BY id').filter(
    (row, i) => JSON.stringify(row) !== JSON.stringify(query(db, 'SELECT id, next_bill_date FROM user_packages ORDER BY id')[i]),
  );
  t.same(changed.map((r) => r.id), yearlyDue.map((p) => p.id), 'only those packages differ');
});

t.test('discount-dropped leaves discounts off invoices and keeps package dates', async (t) => {
  const db = run('discount-dropped');
  t.same(compareToProduction(db, ['invoice_items', 'invoices', 'transactions'], ['accounts']), NOTHING_ELSE);
  t.same(query(db, "SELECT 1 FROM invoice_items WHERE kind = 'discount'"), []);
  t.same(item(production.db, 'ACC-000012', 'discount'), [-2999]);
  t.same(item(db, 'ACC-000012', 'discount'), []);
  t.same(item(db, 'ACC-000001', 'recurring'), item(production.db, 'ACC-000001', 'recurring'), 'charges themselves unchanged');
});

t.test('pool-minutes-per-child rates each member against the whole pool', async (t) => {
  const db = run('pool-minutes-per-child');
  t.same(compareToProduction(db, ['invoice_items', 'invoices', 'minute_buckets', 'transactions'], ['accounts']), NOTHING_ELSE);
  t.same(item(production.db, 'ACC-000002', 'usage'), [293]);
  t.same(item(db, 'ACC-000002', 'usage'), [], 'no member alone exceeds 1000 minutes');
  t.same(item(db, 'ACC-000001', 'usage'), item(production.db, 'ACC-000001', 'usage'), 'accounts without a pool unchanged');
  t.not(
    one<{ used_minutes: number }>(db, 'SELECT used_minutes FROM minute_buckets WHERE account_id = 2').used_minutes,
    1117,
    'the bucket does not hold the family total',
  );
});

t.test('rounding-half-down rounds exact halves towards zero wherever money is rounded', async (t) => {
  const db = run('rounding-half-down');
  t.same(compareToProduction(db, ['invoice_items', 'invoices', 'transactions'], ['accounts']), NOTHING_ELSE);
  t.same(item(db, 'ACC-000012', 'discount'), [-2998], 'discount 29.985 becomes 29.98');
  t.same(item(db, 'ACC-000002', 'usage'), [292], 'overage 2.925 becomes 2.92');
  t.same(item(db, 'ACC-000001', 'usage'), [55], 'overage 0.555 becomes 0.55');
  t.same(query(db, 'SELECT id, next_bill_date, status FROM user_packages'), query(production.db, 'SELECT id, next_bill_date, status FROM user_packages'));
});

t.test('event-log-error writes error rows in Invoices for about 1% of billed accounts, nothing else', async (t) => {
  const db = run('event-log-error');
  t.same(compareToProduction(db, ['event_log']), NOTHING_ELSE);
  const errors = query<{ module: string; account_id: number }>(
    db,
    "SELECT module, account_id FROM event_log WHERE level = 'error' AND id > ?",
    lastEventId,
  );
  const billed = one<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM invoices').n;
  t.ok(errors.length >= 1 && errors.length <= Math.ceil(billed / 100), `${errors.length} errors for ${billed} accounts`);
  t.ok(errors.every((e) => e.module === 'Invoices' && e.account_id !== null));
  t.same(query(production.db, "SELECT 1 FROM event_log WHERE level = 'error' AND module = 'Invoices'"), []);
});

t.test('provisioning-failed sends nothing to the switches and warns instead', async (t) => {
  const db = run('provisioning-failed');
  t.same(compareToProduction(db, ['event_log', 'user_packages']), NOTHING_ELSE);
  const captures = faulty.get('provisioning-failed')?.captures ?? [];
  t.same(captures.filter((c) => c.kind === 'switch'), []);
  t.ok(production.captures.some((c) => c.kind === 'switch'), 'production did provision');
  t.ok(query(db, "SELECT 1 FROM user_packages WHERE provisioning_status = 'pending' AND account_id = 1").length > 0);
  t.match(query(db, "SELECT level, module, result FROM event_log WHERE module = 'Provisioning' AND account_id = 1 AND id > ?", lastEventId), [
    { level: 'warning', module: 'Provisioning', result: 'failed' },
  ]);
  t.ok(captures.some((c) => c.kind === 'mail') && captures.some((c) => c.kind === 'charge'), 'mail and payments still go');
});

t.test('business-voice-tax-rate taxes invoices of the Business Voice plan at 9.5%, and nothing else', async (t) => {
  const db = run('business-voice-tax-rate');
  t.same(compareToProduction(db, ['invoice_items', 'invoices', 'transactions'], ['accounts']), NOTHING_ELSE);
  const taxLines = (file: string): { account_number: string; description: string; plan: number }[] =>
    query(
      file,
      `SELECT a.account_number, ii.description,
         EXISTS (SELECT 1 FROM user_packages up JOIN price_plans pp ON pp.id = up.price_plan_id WHERE up.account_id = a.id AND pp.name = 'Business Voice 1000') AS plan
       FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id JOIN accounts a ON a.id = i.account_id WHERE ii.kind = 'tax' ORDER BY a.account_number`,
    );
  const lines = taxLines(db);
  const business = lines.filter((l) => l.plan === 1);
  t.ok(business.length > 0, 'the sample bills Business Voice accounts');
  t.ok(business.every((l) => l.description === 'Sales tax 9.5%'));
  t.same(lines.filter((l) => l.plan === 0), taxLines(production.db).filter((l) => l.plan === 0), 'every other tax line as production');
});

t.test('staff-direct-grant-revoked takes the first staff user\'s direct grants away and changes nothing else', async (t) => {
  const db = run('staff-direct-grant-revoked');
  t.same(compareToProduction(db, ['staff_user_permissions']), NOTHING_ELSE);
  const grants = (file: string): number[] => query<{ staff_user_id: number }>(file, 'SELECT DISTINCT staff_user_id FROM staff_user_permissions ORDER BY staff_user_id').map((r) => r.staff_user_id);
  t.same(grants(production.db), [3, 6, 9]);
  t.same(grants(db), [6, 9], 'user 3 lost every direct grant');
});

t.test('staff-direct-grant-added grants Payments.Refund directly to the first active ReadOnly user and changes nothing else', async (t) => {
  const db = run('staff-direct-grant-added');
  t.same(compareToProduction(db, ['staff_user_permissions']), NOTHING_ELSE);
  const added = `SELECT u.id, r.name AS role, p.name AS permission FROM staff_user_permissions g JOIN staff_users u ON u.id = g.staff_user_id
    JOIN roles r ON r.id = u.role_id JOIN permissions p ON p.id = g.permission_id WHERE p.name = 'Payments.Refund' ORDER BY u.id`;
  t.same(query(production.db, added), [{ id: 6, role: 'Support', permission: 'Payments.Refund' }]);
  t.same(query(db, added), [{ id: 6, role: 'Support', permission: 'Payments.Refund' }, { id: 10, role: 'ReadOnly', permission: 'Payments.Refund' }], 'user 10, the read-only clerk, can refund');
});

t.test('render-warnings-few logs three Invoices/Render warnings more than production, which logs that kind too; event-log fails it', async (t) => {
  const db = run('render-warnings-few');
  t.same(compareToProduction(db, ['event_log']), NOTHING_ELSE);
  const renderWarnings = (file: string): number =>
    one<{ n: number }>(file, "SELECT COUNT(*) AS n FROM event_log WHERE level = 'warning' AND module = 'Invoices' AND action = 'Render' AND id > ?", lastEventId).n;
  const inProduction = renderWarnings(production.db);
  t.ok(inProduction >= 1, `production's bill run logs ${inProduction} Invoices/Render warning(s), so the kind is not new`);
  t.equal(renderWarnings(db), inProduction + 3);
  t.equal(faulty.get('render-warnings-few')?.captures.filter((c) => c.kind === 'mail').length, production.captures.filter((c) => c.kind === 'mail').length, 'every invoice is still mailed');

  const judged = (file: string) => {
    const since = one<{ started_at: string }>(file, 'SELECT started_at FROM bill_runs WHERE bill_date = ? ORDER BY id DESC LIMIT 1', BILL_DATE).started_at;
    return withEngines(file, production.db, (r, p) => checkEventLog(r, since, p, BILL_DATE, SAMPLE_PROFILE, SAMPLE_ADAPTER.externalWarnings));
  };
  const check = await judged(db);
  t.equal(check.status, 'failed', check.summary);
  t.match(check.summary, `warnings more often than production's: Invoices/Render ×${inProduction + 3} (production ${inProduction})`);
  const unchanged = await judged(candidate.db);
  t.not(unchanged.status, 'failed', `the unchanged candidate passes: ${unchanged.summary}`);
});

t.test('missing-email-warnings-few logs three Email/Send "no e-mail address on file" warnings and still mails; event-log fails them although Email/Send depends on a mail server', async (t) => {
  const db = run('missing-email-warnings-few');
  t.same(compareToProduction(db, ['event_log']), NOTHING_ELSE);
  const noAddress = "SELECT COUNT(*) AS n FROM event_log WHERE level = 'warning' AND module = 'Email' AND action = 'Send' AND message LIKE '%: no e-mail address on file' AND id > ?";
  const inProduction = one<{ n: number }>(production.db, noAddress, lastEventId).n;
  t.equal(one<{ n: number }>(db, noAddress, lastEventId).n, inProduction + 3);
  const accounts = (file: string): number => one<{ n: number }>(file, noAddress.replace('COUNT(*)', 'COUNT(DISTINCT account_id)'), lastEventId).n;
  t.equal(accounts(db), accounts(production.db) + 3, 'three accounts');
  t.equal(faulty.get('missing-email-warnings-few')?.captures.filter((c) => c.kind === 'mail').length, production.captures.filter((c) => c.kind === 'mail').length, 'every invoice is still mailed');

  const judged = (rehearsal: string, productionFile: string, external: typeof SAMPLE_ADAPTER.externalWarnings) => {
    const since = one<{ started_at: string }>(rehearsal, 'SELECT started_at FROM bill_runs WHERE bill_date = ? ORDER BY id DESC LIMIT 1', BILL_DATE).started_at;
    return withEngines(rehearsal, productionFile, (r, p) => checkEventLog(r, since, p, BILL_DATE, SAMPLE_PROFILE, external));
  };
  const check = await judged(db, production.db, SAMPLE_ADAPTER.externalWarnings);
  t.equal(check.status, 'failed', check.summary);
  t.match(check.summary, `Email/Send [other messages] ×${inProduction + 3}`);
  t.equal(check.affectedCount, 3);
  t.not((await judged(candidate.db, production.db, SAMPLE_ADAPTER.externalWarnings)).status, 'failed', 'the unchanged candidate passes');

  // The hole the message list closes: when production's bill run logged that kind too (two accounts
  // without an address, as both sides would), three more used to stay within the mail server's margin.
  const twoWithoutAddress = (source: string, name: string): string =>
    resultCopies(source, dir).changedCopy(name, (copy) => {
      const since = (copy.prepare('SELECT started_at FROM bill_runs WHERE bill_date = ? ORDER BY id DESC LIMIT 1').get(BILL_DATE) as { started_at: string }).started_at;
      const insert = copy.prepare("INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, 'warning', 'Email', 'Send', 'failed', ?, ?)");
      for (const account of [1, 2]) insert.run(since, account, `INV-${BILL_DATE}-ACC-00000${account}: no e-mail address on file`);
    });
  const productionTwo = twoWithoutAddress(production.db, 'production-two-without-address');
  const faultyTwo = twoWithoutAddress(db, 'missing-email-two-without-address');
  const wholeKind = SAMPLE_ADAPTER.externalWarnings.map(({ module, action, reason }) => ({ module, action, reason }));
  const before = await judged(faultyTwo, productionTwo, wholeKind);
  t.not(before.status, 'failed', `without the message list the whole Email/Send kind gets the margin and the regression passes: ${before.summary}`);
  const after = await judged(faultyTwo, productionTwo, SAMPLE_ADAPTER.externalWarnings);
  t.equal(after.status, 'failed', after.summary);
  t.match(after.summary, `warnings more often than production's: Email/Send [other messages] ×${inProduction + 5} (production ${inProduction + 2})`);
  t.not((await judged(twoWithoutAddress(candidate.db, 'candidate-two-without-address'), productionTwo, SAMPLE_ADAPTER.externalWarnings)).status, 'failed', 'the unchanged candidate with the same two still passes');
});
