import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import { accountsDueCount, accountsToProvision, duePackages, packagesToProvision, pools, type AccountCountRow, type DuePackageRow, type PackageToProvisionRow, type PoolRow } from '../profiles/sample-platform.js';
import { pickAccounts, type PickedAccount } from './account-picker.js';

/**
 * What the scenario and picked accounts looked like just before the bill run. Checks compare the
 * result with this, so an expectation like "next bill dates advanced by each package's period" is
 * computed from the data, not typed into the plan.
 */
export interface ScenarioBaseline {
  readonly billDate: string;
  /** How many accounts the bill run must bill (absent in runs made before it was recorded). */
  readonly accountsDue?: number;
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
  const [due] = await engine.query<AccountCountRow>(accountsDueCount(plan.billRun.date));
  const accountsDue = Number(due?.accounts ?? 0);
  const pendingPackages = await engine.query<PackageToProvisionRow>(packagesToProvision(plan.billRun.date));
  if (accounts.length === 0) return { billDate: plan.billRun.date, accountsDue, duePackages: [], pools: [], accountsToProvision: toProvision, packagesToProvision: pendingPackages, picked };
  return {
    billDate: plan.billRun.date,
    accountsDue,
    accountsToProvision: toProvision,
    packagesToProvision: pendingPackages,
    duePackages: await engine.query<DuePackageRow>(duePackages(accounts, plan.billRun.date)),
    pools: await engine.query<PoolRow>(pools(accounts, plan.billRun.date)),
    picked,
  };
}
