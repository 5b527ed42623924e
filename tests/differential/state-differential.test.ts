import t, { type Test } from 'tap';
import { join } from 'node:path';
import { checkStateDifferential } from '../../src/checks/state-differential.js';
import type { CheckResult } from '../../src/checks/types.js';
import { differentialRules } from '../../src/differential/rules.js';
import { sha256 } from '../helpers/sample-fixture.js';
import type { AccountTraitSource } from '../../src/checks/state-differential-causes.js';
import { productionBillRun, stateFiles } from '../helpers/state-fixture.js';

interface Scenario {
  readonly rehearsal: string;
  readonly ignore?: { table?: string; column?: string; reason: string }[];
  readonly traits?: AccountTraitSource;
}

async function differential(t: Test, scenario: Scenario): Promise<CheckResult> {
  const { billed, beforeBillRun, productionMasked } = stateFiles(t.testdir(), scenario.rehearsal);
  const hashes = [billed, beforeBillRun, productionMasked].map(sha256);
  const result = await checkStateDifferential({ billed, beforeBillRun, productionMasked }, differentialRules(scenario.ignore ?? []), { table: 'accounts', key: 'account_number' }, { main: '7.5.0', prod: '7.4.2' }, scenario.traits);
  t.same([billed, beforeBillRun, productionMasked].map(sha256), hashes, 'the differential writes none of the three databases');
  return result;
}

function group(result: CheckResult, table: string, difference: string) {
  return result.evidence?.find((e) => e.table === table && e.difference === difference);
}

t.test('a bill run that changes every table as production did passes, whatever the clock and the release say of themselves', async (t) => {
  const result = await differential(t, { rehearsal: productionBillRun('7.5.0', '2026-12-02T04:22:58.054Z') });
  t.equal(result.status, 'passed', result.summary);
  t.match(result.summary, /7 tables compared row by row/);
});

t.test('new rows are matched by their unique key, not the numbers the engine gave them', async (t) => {
  // The candidate bills account 2 first: every generated id differs, the content does not.
  const shuffled = productionBillRun('7.5.0')
    .replace("(10, 1, 'INV-ACC-1'", "(21, 1, 'INV-ACC-1'")
    .replace("(11, 2, 'INV-ACC-2'", "(20, 2, 'INV-ACC-2'")
    .replace("(100, 10,", "(202, 21,").replace("(101, 10,", "(203, 21,").replace("(102, 11,", "(200, 20,").replace("(103, 11,", "(201, 20,")
    .replace('(1000, 1,', '(2001, 1,').replace('(1001, 2,', '(2000, 2,');
  const result = await differential(t, { rehearsal: shuffled });
  t.equal(result.status, 'passed', result.summary);
});

const regressions: { name: string; rehearsal: string; table: string; difference: string; account?: string; values?: [string, string] }[] = [
  { name: 'usage left unrated (it bills again next month)', rehearsal: productionBillRun('7.5.0').replace('UPDATE usage_records SET rated = 1;', 'UPDATE usage_records SET rated = 1 WHERE id = 1;'), table: 'usage_records', difference: 'rated', account: 'ACC-2', values: ['0', '1'] },
  { name: 'a missing ledger row', rehearsal: productionBillRun('7.5.0').replace(", (1001, 2, 'invoice', 540, 'INV-ACC-2')", ''), table: 'transactions', difference: 'only-in-production', account: 'ACC-2' },
  { name: 'an invoice header inconsistent with its lines', rehearsal: productionBillRun('7.5.0').replace("(11, 2, 'INV-ACC-2', 500, 540", "(11, 2, 'INV-ACC-2', 540, 540"), table: 'invoices', difference: 'subtotal_cents', account: 'ACC-2', values: ['540', '500'] },
  { name: 'a next bill date not advanced', rehearsal: productionBillRun('7.5.0').replace("WHEN id IN (1, 2) THEN '2026-12-01'", "WHEN id = 1 THEN '2026-12-01'"), table: 'accounts', difference: 'next_bill_date', account: 'ACC-2', values: ['2026-11-01', '2026-12-01'] },
  { name: 'a line item dropped', rehearsal: productionBillRun('7.5.0').replace(", (103, 11, 'tax', 40)", ''), table: 'invoice_items', difference: 'only-in-production', account: 'ACC-2' },
  { name: 'an invoice line charged twice', rehearsal: `${productionBillRun('7.5.0')} INSERT INTO invoice_items VALUES (104, 11, 'recurring', 500);`, table: 'invoice_items', difference: 'only-in-rehearsal', account: 'ACC-2' },
  { name: 'a row deleted that production kept', rehearsal: `${productionBillRun('7.5.0')} DELETE FROM usage_records WHERE id = 2;`, table: 'usage_records', difference: 'deleted-only-in-rehearsal', account: 'ACC-2' },
  { name: 'an account billed that production did not touch', rehearsal: `${productionBillRun('7.5.0')} UPDATE accounts SET balance_cents = 999 WHERE id = 3;`, table: 'accounts', difference: 'balance_cents', account: 'ACC-3', values: ['999', '500'] },
  { name: 'a new kind of event', rehearsal: `${productionBillRun('7.5.0')} INSERT INTO event_log VALUES (3, '2026-12-02T04:23:00Z', 'warning', 'NullReferenceException in TaxEngine');`, table: 'event_log', difference: 'only-in-rehearsal' },
  { name: 'a setting changed by the release', rehearsal: `${productionBillRun('7.5.0')} UPDATE settings SET value = 'EUR' WHERE key = 'currency';`, table: 'settings', difference: 'value', values: ['EUR', 'USD'] },
  { name: 'a date-only value written at midnight instead of its day', rehearsal: productionBillRun('7.5.0').replace("WHEN id IN (1, 2) THEN '2026-12-01'", "WHEN id IN (1, 2) THEN '2026-12-01 00:00:00'"), table: 'accounts', difference: 'next_bill_date', account: 'ACC-1' },
];

for (const r of regressions) {
  t.test(`${r.name}: NO-GO, named by table and column, attributed to the account`, async (t) => {
    const result = await differential(t, { rehearsal: r.rehearsal });
    t.equal(result.status, 'failed', 'the differential fails');
    const found = group(result, r.table, r.difference);
    t.ok(found, `a ${r.table} / ${r.difference} difference: ${JSON.stringify(result.evidence)}`);
    if (r.account !== undefined) {
      t.ok(result.affectedAccounts?.includes(r.account), `${r.account} is named`);
      t.equal(found?.['example account'], r.account);
    }
    if (r.values !== undefined) t.same([found?.rehearsal, found?.production], r.values, 'both values shown');
  });
}

t.test('what the plan leaves out is not compared, and the report says why', async (t) => {
  const rehearsal = `${productionBillRun('7.5.0')} UPDATE settings SET value = 'EUR' WHERE key = 'currency'; UPDATE usage_records SET minutes = minutes + 1;`;
  const result = await differential(t, { rehearsal, ignore: [{ table: 'settings', reason: 'the release moves the currency setting' }, { column: 'usage_records.minutes', reason: 'minutes are re-rounded by design' }] });
  t.equal(result.status, 'passed', result.summary);
  const notCompared = result.sections?.find((s) => s.title.startsWith('Not compared'))?.rows ?? [];
  t.ok(notCompared.some((r) => r.what === 'settings' && String(r.why).includes('currency setting')));
  t.ok(notCompared.some((r) => r.what === 'usage_records.minutes'));
  t.ok(notCompared.some((r) => String(r.why).includes('wall-clock timestamp')), 'the default rules are listed too');
});

t.test('values that may be personal data are withheld from the evidence', async (t) => {
  const result = await differential(t, { rehearsal: `${productionBillRun('7.5.0')} UPDATE settings SET value = 'billing@northwind.example' WHERE key = 'currency';` });
  const found = group(result, 'settings', 'value');
  t.match(found?.rehearsal, /withheld/);
  t.notMatch(JSON.stringify(result), /northwind\.example/);
  const added = await differential(t, { rehearsal: `${productionBillRun('7.5.0')} INSERT INTO event_log VALUES (3, '2026-12-02T04:23:00Z', 'warning', 'mailed ada@analytical.example');` });
  t.equal(group(added, 'event_log', 'only-in-rehearsal')?.['example row'], '(withheld: may be personal data)', 'an added row is described without its values');
  t.notMatch(JSON.stringify(added), /analytical/);
});

t.test('a missing file is a failure that says what to do, never a pass', async (t) => {
  const dir = t.testdir();
  const result = await checkStateDifferential({ billed: join(dir, 'a.db'), beforeBillRun: join(dir, 'b.db'), productionMasked: join(dir, 'c.db') }, differentialRules([]), { table: 'accounts', key: 'account_number' }, { main: undefined, prod: undefined });
  t.equal(result.status, 'failed');
  t.match(result.summary, /--fresh/);
});

/**
 * The platform's accounts and their traits: the three of the database and seventeen more that the
 * bill run had nothing to do with. ACC-1 and ACC-2 hold a yearly package (2 of 20 accounts); every
 * account holds a monthly one.
 */
const traits: AccountTraitSource = async (visit) => {
  for (let n = 1; n <= 20; n++) visit(`ACC-${n}`, n <= 2 ? ['holds a monthly package', 'holds a yearly package'] : ['holds a monthly package']);
};

t.test('causes of the differing rows are ranked by lift, not by count, overall and per group', async (t) => {
  const unrated = productionBillRun('7.5.0').replace('UPDATE usage_records SET rated = 1;', 'UPDATE usage_records SET rated = 1 WHERE id > 2;');
  const result = await differential(t, { rehearsal: unrated, traits });
  t.equal(result.status, 'failed');
  t.match(result.summary, /most likely cause: holds a yearly package \(lift ×10: 100% of differing accounts, 10% of all\)/);
  const causes = result.sections?.find((s) => s.title.includes('grouped by cause'))?.rows ?? [];
  t.same(causes.map((c) => c.cause), ['holds a yearly package', 'holds a monthly package'], 'the trait every account has comes second although it counts as many');
  t.same(causes.map((c) => c['differing accounts']), [2, 2]);
  t.equal(group(result, 'usage_records', 'rated')?.['likely cause'], 'holds a yearly package (×10)');
});

t.test('a passing comparison never reads the account traits', async (t) => {
  let read = false;
  const result = await differential(t, { rehearsal: productionBillRun('7.5.0'), traits: async () => { read = true; } });
  t.equal(result.status, 'passed', result.summary);
  t.notOk(read, 'no pass over every account when nothing differs');
});

/** The candidate's upgrade adds a column to invoices and fills it while billing: a change the release means. */
const ADDS_COLUMN = "ALTER TABLE invoices ADD COLUMN delivery_channel TEXT NOT NULL DEFAULT 'email'; UPDATE invoices SET delivery_channel = 'post' WHERE id = 11;";
const COLUMN_RULE = { column: 'invoices.delivery_channel', reason: 'release 7.5 records how each invoice is delivered' };

t.test('a column the release adds: NO-GO naming it until the plan ignores that column, with its reason', async (t) => {
  const unlisted = await differential(t, { rehearsal: `${productionBillRun('7.5.0')} ${ADDS_COLUMN}` });
  t.equal(unlisted.status, 'failed', 'an unexplained schema change is not passed');
  t.match(unlisted.summary, /^tables whose columns differ: invoices \(column\(s\) only in the rehearsal: delivery_channel; column\(s\) only in the billed copy, not before its bill run: delivery_channel\)/);
  t.match(unlisted.summary, /table\.column for an added column/, 'the summary says how to declare it');

  const listed = await differential(t, { rehearsal: `${productionBillRun('7.5.0')} ${ADDS_COLUMN}`, ignore: [COLUMN_RULE] });
  t.equal(listed.status, 'passed', listed.summary);
  t.match(listed.summary, /7 tables compared/, 'invoices is still compared, on its other columns');
  const notCompared = listed.sections?.find((s) => s.title.startsWith('Not compared'))?.rows ?? [];
  t.ok(notCompared.some((r) => r.what === 'invoices.delivery_channel' && r.why === `plan: ${COLUMN_RULE.reason}`), 'listed with the plan\'s reason');
});

t.test('ignoring the added column leaves the rest of its table compared: a regression beside it is NO-GO', async (t) => {
  const regressed = `${productionBillRun('7.5.0').replace("(11, 2, 'INV-ACC-2', 500, 540", "(11, 2, 'INV-ACC-2', 540, 540")} ${ADDS_COLUMN}`;
  const result = await differential(t, { rehearsal: regressed, ignore: [COLUMN_RULE] });
  t.equal(result.status, 'failed');
  t.same([group(result, 'invoices', 'subtotal_cents')?.rehearsal, group(result, 'invoices', 'subtotal_cents')?.production], ['540', '500']);
  const dropped = await differential(t, { rehearsal: `${productionBillRun('7.5.0').replace(", (1001, 2, 'invoice', 540, 'INV-ACC-2')", '')} ${ADDS_COLUMN}`, ignore: [COLUMN_RULE] });
  t.ok(group(dropped, 'transactions', 'only-in-production'), 'other tables are compared as before');
});

t.test('a column rule that matches no compared column is listed as such (it may be a typo)', async (t) => {
  const result = await differential(t, { rehearsal: productionBillRun('7.5.0'), ignore: [{ column: 'invoice.delivery_channel', reason: 'release 7.5 records how each invoice is delivered' }] });
  t.equal(result.status, 'passed');
  const rows = result.sections?.find((s) => s.title.startsWith('Not compared'))?.rows ?? [];
  t.match(rows.find((r) => r.what === 'invoice.delivery_channel')?.why, /matched no column of a compared table/);
});
