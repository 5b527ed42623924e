import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import { accountsToProvision, duePackages, packagesToProvision, pools, type DuePackageRow, type PackageToProvisionRow, type PoolRow } from '../profiles/sample-platform.js';
import { pickAccounts, type PickedAccount } from './account-picker.js';

/**
 * What the scenario and picked accounts looked like just before the bill run. Checks compare the
 * result with this, so an expectation like "next bill dates advanced by each package's period" is
 * computed from the data, not typed into the plan.
 */
export interface ScenarioBaseline {
  readonly billDate: string;
  readonly duePackages: readonly DuePackageRow[];
  readonly pools: readonly PoolRow[];
  /** Accounts whose pending package changes this bill run must push to the switches. */
  readonly accountsToProvision: readonly string[];
  /** The pending package changes themselves, to tell which the bill run marked done (absent in runs made before it existed). */
  readonly packagesToProvision?: readonly PackageToProvisionRow[];
  /** The plan's accounts first, then the ones the diverse account picker chose (absent in runs made before it existed). */
  readonly picked?: readonly PickedAccount[];
}

export async function captureScenarioBaseline(engine: DatabaseEngine, plan: Plan): Promise<ScenarioBaseline> {
  const picked = await pickAccounts(engine, plan.billRun.date, plan.scenarios);
  const accounts = picked.map((p) => p.account);
  const toProvision = (await engine.query<{ account_number: string }>(accountsToProvision(plan.billRun.date))).map((r) => r.account_number);
  const pendingPackages = await engine.query<PackageToProvisionRow>(packagesToProvision(plan.billRun.date));
  if (accounts.length === 0) return { billDate: plan.billRun.date, duePackages: [], pools: [], accountsToProvision: toProvision, packagesToProvision: pendingPackages, picked };
  return {
    billDate: plan.billRun.date,
    accountsToProvision: toProvision,
    packagesToProvision: pendingPackages,
    duePackages: await engine.query<DuePackageRow>(duePackages(accounts, plan.billRun.date)),
    pools: await engine.query<PoolRow>(pools(accounts, plan.billRun.date)),
    picked,
  };
}
