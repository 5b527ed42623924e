import t from 'tap';
import { billCopy, makeSnapshot, one, query, tableRows, tempDir, userTables } from './helpers.js';
import type { BilledCopy } from './helpers.js';

/**
 * The candidate's switches for issue 14 (event log, permissions, bill-run completeness, yearly
 * dates): each changes exactly what it says, in the database, against the unfaulted candidate on
 * the same snapshot.
 */
const dir = tempDir(t);
const snapshot = makeSnapshot(dir, 120, 5);
const VOLATILE: Record<string, string[]> = {
  invoices: ['created_at'],
  transactions: ['created_at', 'id'],
  event_log: ['logged_at', 'message', 'id'],
  bill_runs: ['started_at', 'finished_at'],
};
const FAULTS = ['exception-logged-as-warning', 'read-only-role-gains-permissions', 'batch-last-account-skipped', 'yearly-advanced-one-month'];

// Two bills at a time: each starts a service and capture servers in a namespace of its own.
const runs = new Map<string, BilledCopy>();
const queue = ['', ...FAULTS];
await Promise.all(
  [0, 1].map(async () => {
    for (let fault = queue.shift(); fault !== undefined; fault = queue.shift()) {
      runs.set(fault, await billCopy(snapshot, dir, fault === '' ? 'candidate' : fault, { release: 'candidate', faults: fault === '' ? [] : [fault], sinks: true }));
    }
  }),
);
const candidate = runs.get('');

function run(fault: string): string {
  const found = runs.get(fault);
  if (found?.result.state !== 'completed') throw new Error(`the ${fault} bill run did not complete`);
  return found.db;
}

/** Tables whose rows (sorted, wall-clock columns aside) differ from the unfaulted candidate's. */
function tablesThatDiffer(db: string): string[] {
  const rows = (file: string, table: string): string => JSON.stringify(tableRows(file, table, VOLATILE[table] ?? []).map((r) => JSON.stringify(r)).sort());
  return userTables(db).filter((table) => rows(db, table) !== rows(candidate?.db ?? '', table));
}

const lastEventId = one<{ id: number }>(snapshot, 'SELECT MAX(id) AS id FROM event_log').id;
const dueAccounts = query<{ id: number; account_number: string }>(
  snapshot,
  `SELECT DISTINCT a.id, a.account_number FROM accounts a JOIN user_packages up ON up.account_id = a.id
   WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= '2026-11-01' ORDER BY a.id`,
);

t.test('exception-logged-as-warning logs a .NET exception as a warning in Invoices, no error, nothing else', async (t) => {
  const db = run('exception-logged-as-warning');
  t.same(tablesThatDiffer(db), ['event_log']);
  const rows = query<{ level: string; module: string; action: string; message: string; account_id: number }>(
    db,
    // Invoices/Render warnings (eCheck invoices) are logged by every release; the switch's are Layout.
    "SELECT level, module, action, message, account_id FROM event_log WHERE id > ? AND module = 'Invoices' AND action = 'Layout'",
    lastEventId,
  );
  t.ok(rows.length >= 1 && rows.length <= Math.ceil(dueAccounts.length / 100), `${rows.length} warnings`);
  t.ok(rows.every((r) => r.level === 'warning' && r.message.startsWith('System.InvalidOperationException')));
  t.same(query(candidate?.db ?? '', "SELECT 1 FROM event_log WHERE id > ? AND module = 'Invoices' AND action = 'Layout'", lastEventId), [], 'the unchanged candidate logs none');
  t.equal(rows[0]?.account_id, dueAccounts[0]?.id, 'the first billed account gets one');
  t.same(query(db, "SELECT 1 FROM event_log WHERE level = 'error' AND id > ?", lastEventId), []);
});

t.test('read-only-role-gains-permissions grants Settings.Edit and Payments.Refund to ReadOnly and changes nothing else', async (t) => {
  const db = run('read-only-role-gains-permissions');
  t.same(tablesThatDiffer(db), ['role_permissions']);
  const grants = (file: string): string[] =>
    query<{ p: string }>(file, "SELECT p.name AS p FROM role_permissions rp JOIN roles r ON r.id = rp.role_id JOIN permissions p ON p.id = rp.permission_id WHERE r.name = 'ReadOnly' ORDER BY p.name").map((r) => r.p);
  t.same(grants(db).filter((p) => !grants(candidate?.db ?? '').includes(p)), ['Payments.Refund', 'Settings.Edit']);
});

t.test('batch-last-account-skipped leaves the last due account of the batch unbilled and counts only the billed ones', async (t) => {
  const db = run('batch-last-account-skipped');
  const skipped = dueAccounts[dueAccounts.length - 1];
  t.ok(dueAccounts.length < 250, 'one batch in this sample');
  t.same(query(db, 'SELECT 1 FROM invoices WHERE account_id = ?', skipped?.id), [], `${skipped?.account_number} has no invoice`);
  t.equal(one<{ n: number }>(db, "SELECT COUNT(DISTINCT account_id) AS n FROM invoices WHERE bill_date = '2026-11-01'").n, dueAccounts.length - 1);
  t.same(query(db, 'SELECT status, accounts_billed FROM bill_runs ORDER BY id DESC LIMIT 1'), [{ status: 'completed', accounts_billed: dueAccounts.length - 1 }], 'the run says completed');
  t.ok(query(db, "SELECT 1 FROM user_packages WHERE account_id = ? AND status = 'active' AND next_bill_date <= '2026-11-01'", skipped?.id).length > 0, 'its packages are still due');
});

t.test('yearly-advanced-one-month moves yearly packages on by a month, not a year, and changes nothing else', async (t) => {
  const db = run('yearly-advanced-one-month');
  t.same(tablesThatDiffer(db), ['user_packages']);
  const yearlyDue = query<{ id: number; next_bill_date: string }>(
    snapshot,
    `SELECT up.id, up.next_bill_date FROM user_packages up JOIN packages p ON p.id = up.package_id JOIN accounts a ON a.id = up.account_id
     WHERE p.period = 'yearly' AND up.status = 'active' AND a.status = 'active' AND up.next_bill_date <= '2026-11-01' ORDER BY up.id`,
  );
  t.ok(yearlyDue.length >= 3);
  for (const pkg of yearlyDue) {
    const after = one<{ next_bill_date: string }>(db, 'SELECT next_bill_date FROM user_packages WHERE id = ?', pkg.id).next_bill_date;
    const month = new Date(`${pkg.next_bill_date}T00:00:00Z`);
    month.setUTCMonth(month.getUTCMonth() + 1);
    t.equal(after, month.toISOString().slice(0, 10), `package ${pkg.id}: one month on`);
  }
});
