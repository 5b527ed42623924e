import t from 'tap';
import Database from 'better-sqlite3';
import { makeSample } from '../helpers/sample-fixture.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { accountTraitSource } from '../../src/checks/account-traits.js';
import { rankStateCauses } from '../../src/checks/state-differential-causes.js';
import { DifferenceSummary } from '../../src/differential/differences.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

const BILL_DATE = '2026-11-01';
const sample = makeSample(150, 5);
t.teardown(() => sample.cleanup());

function accountsWhere(condition: string): string[] {
  const db = new Database(sample.productionResult, { readonly: true });
  try {
    return (db.prepare(`SELECT account_number AS n FROM accounts a WHERE ${condition} ORDER BY account_number`).all() as { n: string }[]).map((r) => r.n);
  } finally {
    db.close();
  }
}

async function traitsOfEveryAccount(): Promise<[string, readonly string[]][]> {
  const engine = SqliteEngine.open(sample.productionResult, { readonly: true });
  try {
    const visited: [string, readonly string[]][] = [];
    await accountTraitSource(engine, profile, BILL_DATE)((account, traits) => visited.push([account, traits]));
    return visited;
  } finally {
    await engine.close();
  }
}

t.test("every account once, in account order, with how it pays and its price plans beside the production diff's traits", async (t) => {
  const visited = await traitsOfEveryAccount();
  t.same(visited.map(([account]) => account), accountsWhere('1'), 'each account exactly once');
  const of = new Map(visited);
  const echeck = of.get('ACC-000011') ?? [];
  t.ok(echeck.some((trait) => /^pays by echeck\/\w+$/.test(trait)), `the eCheck auto-pay account pays by eCheck: ${JSON.stringify(echeck)}`);
  t.ok(echeck.includes('top-level account') && echeck.some((trait) => trait.startsWith('pool: ')), "the production diff's traits are kept");
  t.ok(of.get('ACC-000008')?.includes('expired card'), 'the account whose card expired');
  const onPlans = accountsWhere('EXISTS (SELECT 1 FROM user_packages up WHERE up.account_id = a.id AND up.price_plan_id IS NOT NULL)');
  t.ok(onPlans.length > 0 && onPlans.every((account) => (of.get(account) ?? []).some((trait) => trait.startsWith('price plan '))), `the ${onPlans.length} accounts on a price plan have it as a trait`);
  const card = accountsWhere("EXISTS (SELECT 1 FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'card') AND NOT EXISTS (SELECT 1 FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'echeck')");
  t.ok(card.length > 0 && card.every((account) => !(of.get(account) ?? []).some((trait) => trait.startsWith('pays by echeck'))), 'no card-only account is said to pay by eCheck');
});

t.test('differences on the eCheck accounts alone are put down to paying by eCheck, not to their packages', async (t) => {
  const echecks = accountsWhere("EXISTS (SELECT 1 FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'echeck')");
  t.ok(echecks.length >= 3, `${echecks.length} eCheck accounts: enough to support a cause`);
  const summary = new DifferenceSummary();
  for (const account of echecks) {
    summary.add({ table: 'transactions', kind: 'only-in-rehearsal', row: `payment of ${account}`, account, columns: [], count: 1 });
  }
  const groups = summary.sortedGroups();
  const engine = SqliteEngine.open(sample.productionResult, { readonly: true });
  t.teardown(() => engine.close());
  const causes = await rankStateCauses(summary, groups, accountTraitSource(engine, profile, BILL_DATE));
  t.match(causes.ranked[0]?.cause, /^pays by echeck\//, JSON.stringify(causes.ranked.slice(0, 3)));
  t.equal(causes.ranked[0]?.accounts, echecks.length, 'every differing account has it');
  t.match(causes.likelyByGroup.get(groups[0] as never)?.cause, /^pays by echeck\//, "the group's likely cause");
  t.equal(causes.all, 150, 'the lift is against every account');
});
