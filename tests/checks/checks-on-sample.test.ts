import t from 'tap';
import Database from 'better-sqlite3';
import { makeSample } from '../helpers/sample-fixture.js';
import { resultCopies } from '../helpers/result-copies.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkAgainstProduction } from '../../src/checks/production-diff.js';
import { featuresOf, pickAccounts, MIN_PICKED_ACCOUNTS } from '../../src/checks/account-picker.js';
import { checkRolePermissions } from '../../src/checks/role-permissions.js';
import { checkPayments } from '../../src/checks/payments.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import type { LedgerEntry } from '../../src/sinkholes/ledger.js';
import { checkedAttempts } from '../../src/sinkholes/checked-attempts.js';

const BILL_DATE = '2026-11-01';
const sample = makeSample(150, 5);
t.teardown(() => sample.cleanup());

const { changedCopy, withEngines } = resultCopies(sample.productionResult, sample.dir);

t.test('production-diff: an identical result passes, every account compared', async (t) => {
  const result = await withEngines(sample.productionResult, (r, p) => checkAgainstProduction(r, p, BILL_DATE, 0, profile));
  t.equal(result.status, 'passed');
  t.match(result.summary, /^150 accounts compared/);
});

t.test('production-diff: charges by type, taxes and pool usage differences are found and grouped by cause', async (t) => {
  const db = new Database(sample.productionResult, { readonly: true });
  const owner = db.prepare('SELECT a.account_number AS n FROM minute_buckets b JOIN accounts a ON a.id = b.account_id ORDER BY a.account_number LIMIT 1').get() as { n: string };
  const billed = db.prepare(`SELECT a.account_number AS n, i.id AS invoice FROM invoices i JOIN accounts a ON a.id = i.account_id
    WHERE i.bill_date = ? AND EXISTS (SELECT 1 FROM invoice_items ii WHERE ii.invoice_id = i.id AND ii.kind = 'recurring') ORDER BY a.account_number DESC LIMIT 1`).get(BILL_DATE) as { n: string; invoice: number };
  db.close();
  const changed = changedCopy('changed', (d) => {
    d.prepare("UPDATE invoice_items SET amount_cents = amount_cents + 7 WHERE id = (SELECT MIN(id) FROM invoice_items WHERE invoice_id = ? AND kind = 'recurring')").run(billed.invoice);
    d.prepare('UPDATE invoices SET tax_cents = tax_cents + 1 WHERE id = ?').run(billed.invoice);
    d.prepare('UPDATE minute_buckets SET used_minutes = used_minutes + 30 WHERE account_id = (SELECT id FROM accounts WHERE account_number = ?)').run(owner.n);
  });
  const result = await withEngines(changed, (r, p) => checkAgainstProduction(r, p, BILL_DATE, 0, profile));
  t.equal(result.status, 'failed');
  t.equal(result.affectedCount, 2);
  t.same([...(result.affectedAccounts ?? [])].sort(), [billed.n, owner.n].sort());
  t.match(result.summary, /1 taxes/);
  t.match(result.summary, /1 charges: recurring/);
  t.match(result.summary, /1 pool minutes used/);
  const rows = result.evidence ?? [];
  t.ok(rows.some((e) => e.account === billed.n && e.field === 'charges: recurring'), 'the recurring charge is evidence');
  t.ok(rows.some((e) => e.account === owner.n && e.field === 'pool minutes used'), 'the pool usage is evidence');
  const groups = result.sections?.find((s) => s.title.includes('cause'))?.rows ?? [];
  t.ok(groups.some((g) => g.cause === 'pool: pool owner' && g['differing accounts'] === 1), 'grouped by pool membership');
  const fields = result.sections?.find((s) => s.title.includes('by field'))?.rows ?? [];
  t.ok(fields.some((g) => g.field === 'taxes' && g['differing accounts'] === 1), 'grouped by field');

  const tolerant = await withEngines(changedCopy('cent', (d) => d.prepare('UPDATE invoices SET tax_cents = tax_cents + 1 WHERE id = ?').run(billed.invoice)), (r, p) => checkAgainstProduction(r, p, BILL_DATE, 1, profile));
  t.equal(tolerant.status, 'passed', 'a one-cent difference is within a one-cent tolerance');
});

t.test('account picker: deterministic, at least ten accounts, every feature covered, plan accounts first', async (t) => {
  const engine = SqliteEngine.open(sample.snapshot, { readonly: true });
  t.teardown(() => engine.close());
  const plan = [{ account: 'ACC-000009', why: 'cancelled account' }];
  const first = await pickAccounts(engine, profile, BILL_DATE, plan);
  const again = await pickAccounts(engine, profile, BILL_DATE, plan);
  t.same(again, first, 'the same snapshot gives the same accounts and reasons');
  t.ok(first.length >= MIN_PICKED_ACCOUNTS, `${first.length} accounts`);
  t.same(first[0], { ...first[0], account: 'ACC-000009', source: 'plan', reasons: [plan[0]?.why, ...(first[0]?.reasons.slice(1) ?? [])] });
  const everyFeature = new Set<string>();
  for await (const row of profile.stream(engine, 'accountFeatures', { billMonth: BILL_DATE.slice(0, 7) })) for (const f of featuresOf(row)) everyFeature.add(f);
  const covered = new Set(first.flatMap((p) => p.features));
  t.same([...everyFeature].filter((f) => !covered.has(f)), [], 'no feature of the snapshot is left uncovered');
  for (const f of ['billing period yearly', 'billing period once', 'pool owner', 'pool member', 'expired card', 'cancelled account', 'pays by echeck/authorizenet']) t.ok(covered.has(f), f);
  for (const p of first) t.ok(p.reasons.length > 0 && p.reasons.every((r) => r.length > 0), `${p.account} says why it was picked`);
  const reasons = first.flatMap((p) => p.reasons).join(' | ');
  t.match(reasons, /most packages/);
  t.match(reasons, /highest balance/);
  t.match(reasons, /most usage/);
});

t.test('role permissions: a lost permission fails, a new permission nobody holds warns, expected new grants pass', async (t) => {
  const same = await withEngines(sample.productionResult, (r, p) => checkRolePermissions(r, p, [], profile));
  t.equal(same.status, 'passed');
  const granted = changedCopy('granted', (d) => {
    d.exec("INSERT INTO permissions (name) VALUES ('Invoices.Preview')");
    d.exec("INSERT INTO role_permissions (role_id, permission_id) SELECT r.id, p.id FROM roles r, permissions p WHERE r.name = 'Administrator' AND p.name = 'Invoices.Preview'");
  });
  const expected = [{ role: 'Administrator', permission: 'Invoices.Preview', reason: 'the release adds invoice preview' }];
  const newGrant = await withEngines(granted, (r, p) => checkRolePermissions(r, p, expected, profile));
  t.equal(newGrant.status, 'passed', 'a new permission granted to Administrator, as the plan expects, is no loss');
  t.match(newGrant.summary, /Administrator: Invoices\.Preview/);
  const orphan = await withEngines(changedCopy('orphan', (d) => d.exec("INSERT INTO permissions (name) VALUES ('BillRun.Schedule')")), (r, p) => checkRolePermissions(r, p, [], profile));
  t.equal(orphan.status, 'warning');
  t.match(orphan.summary, /BillRun\.Schedule/);
  const lost = await withEngines(
    changedCopy('lost', (d) => d.exec("DELETE FROM role_permissions WHERE role_id = (SELECT id FROM roles WHERE name = 'Billing') AND permission_id = (SELECT MIN(permission_id) FROM role_permissions WHERE role_id = (SELECT id FROM roles WHERE name = 'Billing'))")),
    (r, p) => checkRolePermissions(r, p, [], profile),
  );
  t.equal(lost.status, 'failed');
  t.ok(lost.evidence?.some((e) => e.change === 'permission lost' && e.role === 'Billing'), 'names the role that lost it');
});

t.test('payments: every processor charged with the invoiced amounts; a wrong amount or a silent processor fails', async (t) => {
  const engine = SqliteEngine.open(sample.productionResult, { readonly: true });
  t.teardown(() => engine.close());
  const settings = new Database(sample.productionResult, { readonly: true });
  const hosts = new Map((settings.prepare("SELECT key, value FROM settings WHERE key LIKE 'gateway.%.url'").all() as { key: string; value: string }[]).map((r) => [r.key.split('.')[1] ?? '', new URL(r.value).hostname]));
  settings.close();
  const due = await profile.query(engine, 'processorsToCharge', { billDate: BILL_DATE, billMonth: BILL_DATE.slice(0, 7) });
  const invoices = await profile.query(engine, 'billedInvoices', { billDate: BILL_DATE });
  t.ok(due.length >= 2, 'the sample charges through several processors');
  const ledger: LedgerEntry[] = due.map((d, i) => {
    const invoice = invoices[i];
    if (invoice === undefined) throw new Error('not enough invoices in the sample');
    return payment(hosts.get(d.processor) ?? '', invoice.invoice_number, invoice.total, invoice.account_number);
  });
  const ok = await checkPayments(engine, checkedAttempts(ledger).payments, BILL_DATE, true, profile);
  t.equal(ok.status === 'passed' || ok.status === 'warning', true, ok.summary);

  const [firstEntry, ...rest] = ledger;
  if (firstEntry === undefined || firstEntry.kind !== 'payment') throw new Error('no payment entry');
  const wrong = await checkPayments(engine, checkedAttempts([{ ...firstEntry, amountCents: (firstEntry.amountCents ?? 0) + 1 }, ...rest]).payments, BILL_DATE, true, profile);
  t.equal(wrong.status, 'failed');
  t.ok(wrong.affectedAccounts?.includes(firstEntry.account ?? ''), 'names the account charged the wrong amount');
  const silent = await checkPayments(engine, checkedAttempts(rest).payments, BILL_DATE, true, profile);
  t.equal(silent.status, 'failed');
  t.match(silent.summary, new RegExp(`no approved payment reached ${due[0]?.processor ?? '?'}`));
});

function payment(host: string, invoice: string, amountCents: number, account: string): LedgerEntry {
  return {
    kind: 'payment',
    time: '2026-11-01T00:00:01.000Z',
    destination: { host, address: '10.200.0.1', port: 443, protocol: 'tcp' },
    peer: { address: '10.200.0.2', port: 40000 },
    account,
    method: 'POST',
    path: '/',
    amountCents,
    invoice,
    approved: true,
    transactionId: `tx-${invoice}`,
  };
}
