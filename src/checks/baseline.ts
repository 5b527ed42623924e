import type { DatabaseEngine } from '../engine/types.js';
import type { Plan } from '../plan/types.js';
import type { Profile } from '../platform/profile.js';
import type { DuePackageRow, PackageToProvisionRow, PoolRow } from '../platform/rows.js';
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
  /**
   * The mail sender the copy's settings named ('' for none), so a release that rewrites the setting
   * and mails from the new one is judged against this (absent in runs made before it was kept, or
   * without the `mailSender` concept).
   */
  readonly mailSender?: string;
}

/** Concepts the baseline reads when the adapter has them; the checks built on a missing one say so. */
export async function captureScenarioBaseline(engine: DatabaseEngine, plan: Plan, profile: Profile): Promise<ScenarioBaseline> {
  const billDate = plan.billRun.date;
  const parameters = { billDate, billMonth: billDate.slice(0, 7) };
  const picked = profile.has('accountFeatures') ? await pickAccounts(engine, profile, billDate, plan.scenarios) : undefined;
  const accounts = picked?.map((p) => p.account) ?? plan.scenarios.map((s) => s.account);
  const toProvision = profile.has('accountsToProvision') ? (await profile.query(engine, 'accountsToProvision', parameters)).map((r) => r.account_number) : [];
  const due = profile.has('accountsDueCount') ? (await profile.query(engine, 'accountsDueCount', parameters))[0] : undefined;
  const accountsDue = due === undefined ? undefined : Number(due.accounts);
  const pendingPackages = profile.has('packagesToProvision') ? await profile.query(engine, 'packagesToProvision', parameters) : undefined;
  const optional = async <T>(has: boolean, read: () => Promise<T[]>): Promise<T[]> => (has && accounts.length > 0 ? read() : []);
  return {
    billDate,
    ...(accountsDue !== undefined ? { accountsDue } : {}),
    accountsToProvision: toProvision,
    ...(pendingPackages !== undefined ? { packagesToProvision: pendingPackages } : {}),
    duePackages: await optional(profile.has('duePackages'), () => profile.query(engine, 'duePackages', parameters, { accounts })),
    pools: await optional(profile.has('pools'), () => profile.query(engine, 'pools', parameters, { accounts })),
    ...(picked !== undefined ? { picked } : {}),
    ...(profile.has('mailSender') ? { mailSender: await configuredSender(engine, profile) } : {}),
  };
}

/** The sender the copy's settings name now, lower-cased; '' when they name none. */
export async function configuredSender(engine: DatabaseEngine, profile: Profile): Promise<string> {
  return (await profile.query(engine, 'mailSender', {}))[0]?.address.trim().toLowerCase() ?? '';
}
