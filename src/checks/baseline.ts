import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import { duePackages, pools, type DuePackageRow, type PoolRow } from '../profiles/sample-platform.js';

/**
 * What the scenario accounts looked like just before the bill run. Checks compare the result
 * with this, so an expectation like "next bill dates advanced by each package's period" is
 * computed from the data, not typed into the plan.
 */
export interface ScenarioBaseline {
  readonly billDate: string;
  readonly duePackages: readonly DuePackageRow[];
  readonly pools: readonly PoolRow[];
}

export async function captureScenarioBaseline(engine: DatabaseEngine, plan: Plan): Promise<ScenarioBaseline> {
  const accounts = plan.scenarios.map((s) => s.account);
  if (accounts.length === 0) return { billDate: plan.billRun.date, duePackages: [], pools: [] };
  return {
    billDate: plan.billRun.date,
    duePackages: await engine.query<DuePackageRow>(duePackages(accounts, plan.billRun.date)),
    pools: await engine.query<PoolRow>(pools(accounts, plan.billRun.date)),
  };
}
