import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import { accountsToProvision, duePackages, pools, type DuePackageRow, type PoolRow } from '../profiles/sample-platform.js';

/**
 * What the scenario accounts looked like just before the bill run. Checks compare the result
 * with this, so an expectation like "next bill dates advanced by each package's period" is
 * computed from the data, not typed into the plan.
 */
export interface ScenarioBaseline {
  readonly billDate: string;
  readonly duePackages: readonly DuePackageRow[];
  readonly pools: readonly PoolRow[];
  /** Accounts whose pending package changes this bill run must push to the switches. */
  readonly accountsToProvision: readonly string[];
}

export async function captureScenarioBaseline(engine: DatabaseEngine, plan: Plan): Promise<ScenarioBaseline> {
  const accounts = plan.scenarios.map((s) => s.account);
  const toProvision = (await engine.query<{ account_number: string }>(accountsToProvision(plan.billRun.date))).map((r) => r.account_number);
  if (accounts.length === 0) return { billDate: plan.billRun.date, duePackages: [], pools: [], accountsToProvision: toProvision };
  return {
    billDate: plan.billRun.date,
    accountsToProvision: toProvision,
    duePackages: await engine.query<DuePackageRow>(duePackages(accounts, plan.billRun.date)),
    pools: await engine.query<PoolRow>(pools(accounts, plan.billRun.date)),
  };
}
