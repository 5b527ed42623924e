import type { DatabaseEngine } from '../engine/types.js';
import type { Plan, ScenarioPlan } from '../plan/types.js';
import type { Profile } from '../platform/profile.js';
import type { AccountOutcomeRow, PoolRow, UserPackageRow } from '../platform/rows.js';
import { notConfigured, periodName } from './not-configured.js';
import type { ScenarioBaseline } from './baseline.js';
import type { CheckResult } from './types.js';
import { addMonths, divideRoundHalfUp, formatCents, toCents } from './money.js';

/** One check per scenario account named in the plan, against the expectations written there. */
export async function checkScenarioAccounts(engine: DatabaseEngine, plan: Plan, baseline: ScenarioBaseline, profile: Profile): Promise<CheckResult[]> {
  const accounts = plan.scenarios.map((s) => s.account);
  if (accounts.length === 0) return [];
  const missing = plan.scenarios.map((s) => notConfigured(profile, { id: `scenario.${s.account}`, title: `Scenario account ${s.account}: ${s.why}` }, ['accountOutcomes', 'userPackages', 'pools', 'duePackages']));
  if (missing.some((m) => m !== undefined)) return missing.filter((m): m is CheckResult => m !== undefined);
  const parameters = { billDate: plan.billRun.date };
  const outcomes = new Map((await profile.query(engine, 'accountOutcomes', parameters, { accounts })).map((r) => [r.account_number, r]));
  const packagesAfter = await profile.query(engine, 'userPackages', parameters, { accounts });
  const poolsAfter = new Map((await profile.query(engine, 'pools', parameters, { accounts })).map((r) => [r.account_number, r]));
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
    const actual = outcome.invoice_total;
    expectation('invoice total', formatCents(toCents(expect.invoiceTotal)), formatCents(actual), actual !== null && Math.abs(actual - toCents(expect.invoiceTotal)) <= tolerance);
  }
  if (expect.balance !== undefined) {
    expectation('balance', formatCents(toCents(expect.balance)), formatCents(outcome.balance), Math.abs(outcome.balance - toCents(expect.balance)) <= tolerance);
  }
  if (expect.nextBillDatesAdvanced === true) {
    const due = baseline.duePackages.filter((p) => p.account_number === scenario.account);
    if (due.length === 0) expectation('packages due in this run', 'at least one', 'none', false);
    for (const before of due) {
      const after = packagesAfter.find((p) => p.user_package_id === before.user_package_id);
      const months = before.period_months;
      const expected = months === 0 ? 'completed' : addMonths(before.next_bill_date, months);
      const actual = months === 0 ? (after?.status ?? 'missing') : (after?.next_bill_date ?? 'none');
      expectation(`${before.package_code} (${periodName(months)}) next bill date`, expected, actual, expected === actual);
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
      // The rate in ten-thousandths of the currency per minute keeps the arithmetic in integers.
      const expectedCharge = divideRoundHalfUp(overage * Math.round(before.overage_rate * 10000), 100);
      const charged = outcome.usage_amount ?? 0;
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
