import type { DatabaseEngine } from '../engine/types.js';
import type { Plan, ScenarioPlan } from '../plan/types.js';
import { accountOutcomes, userPackages, pools, type AccountOutcomeRow, type PoolRow, type UserPackageRow } from '../profiles/sample-platform.js';
import type { ScenarioBaseline } from './baseline.js';
import type { CheckResult } from './types.js';
import { addMonths, divideRoundHalfUp, formatCents, toCents } from './money.js';

/** Months a recurring package's next bill date moves on by; a one-time package is completed instead. */
export const PERIOD_MONTHS: Record<string, number> = { monthly: 1, yearly: 12 };

/** One check per scenario account named in the plan, against the expectations written there. */
export async function checkScenarioAccounts(engine: DatabaseEngine, plan: Plan, baseline: ScenarioBaseline): Promise<CheckResult[]> {
  const accounts = plan.scenarios.map((s) => s.account);
  if (accounts.length === 0) return [];
  const date = plan.billRun.date;
  const outcomes = new Map((await engine.query<AccountOutcomeRow>(accountOutcomes(accounts, date))).map((r) => [r.account_number, r]));
  const packagesAfter = await engine.query<UserPackageRow>(userPackages(accounts));
  const poolsAfter = new Map((await engine.query<PoolRow>(pools(accounts, date))).map((r) => [r.account_number, r]));
  const tolerance = toCents(plan.verify.tolerance);
  return plan.scenarios.map((scenario) =>
    checkOne(scenario, outcomes.get(scenario.account), packagesAfter, baseline, poolsAfter.get(scenario.account), tolerance),
  );
}

function checkOne(
  scenario: ScenarioPlan,
  outcome: AccountOutcomeRow | undefined,
  packagesAfter: readonly UserPackageRow[],
  baseline: ScenarioBaseline,
  poolAfter: PoolRow | undefined,
  tolerance: number,
): CheckResult {
  const id = `scenario.${scenario.account}`;
  const title = `Scenario account ${scenario.account}: ${scenario.why}`;
  if (outcome === undefined) {
    return { id, title, status: 'failed', summary: `account ${scenario.account} does not exist in the rehearsal database; check the plan's scenario list`, affectedAccounts: [scenario.account], affectedCount: 1 };
  }
  const evidence: Record<string, string | number | boolean | null>[] = [];
  const problems: string[] = [];
  const expectation = (name: string, expected: string, actual: string, ok: boolean): void => {
    evidence.push({ expectation: name, expected, actual, ok });
    if (!ok) problems.push(`${name}: expected ${expected}, got ${actual}`);
  };
  const { expect } = scenario;
  const billed = outcome.invoice_count > 0;

  if (expect.billed !== undefined) expectation('billed in this run', String(expect.billed), String(billed), billed === expect.billed);
  if (expect.invoiceTotal !== undefined) {
    const actual = outcome.invoice_total_cents;
    expectation('invoice total', formatCents(toCents(expect.invoiceTotal)), formatCents(actual), actual !== null && Math.abs(actual - toCents(expect.invoiceTotal)) <= tolerance);
  }
  if (expect.balance !== undefined) {
    expectation('balance', formatCents(toCents(expect.balance)), formatCents(outcome.balance_cents), Math.abs(outcome.balance_cents - toCents(expect.balance)) <= tolerance);
  }
  if (expect.nextBillDatesAdvanced === true) {
    const due = baseline.duePackages.filter((p) => p.account_number === scenario.account);
    if (due.length === 0) expectation('packages due in this run', 'at least one', 'none', false);
    for (const before of due) {
      const after = packagesAfter.find((p) => p.user_package_id === before.user_package_id);
      const months = PERIOD_MONTHS[before.period];
      const expected = months === undefined ? 'completed' : addMonths(before.next_bill_date, months);
      const actual = months === undefined ? (after?.status ?? 'missing') : (after?.next_bill_date ?? 'none');
      expectation(`${before.package_code} (${before.period}) next bill date`, expected, actual, expected === actual);
    }
  }
  if (expect.poolMinutesApplied === true) {
    const before = baseline.pools.find((p) => p.account_number === scenario.account);
    if (before === undefined || poolAfter === undefined) {
      expectation('pooled minute bucket', 'a bucket owned by this account', 'none', false);
    } else {
      const total = before.family_unrated_minutes;
      expectation('pool minutes used', String(total), String(poolAfter.used_minutes), poolAfter.used_minutes === total);
      const overage = Math.max(0, total - before.included_minutes);
      const expectedCharge = divideRoundHalfUp(overage * before.overage_mills, 10);
      const charged = outcome.usage_cents ?? 0;
      expectation('pool overage charge', formatCents(expectedCharge), formatCents(charged), Math.abs(charged - expectedCharge) <= tolerance);
    }
  }
  const failed = problems.length > 0;
  return {
    id,
    title,
    status: failed ? 'failed' : 'passed',
    summary: failed ? problems.join('; ') : `${evidence.length} expectation(s) met`,
    ...(failed ? { affectedAccounts: [scenario.account], affectedCount: 1 } : {}),
    evidence,
  };
}
