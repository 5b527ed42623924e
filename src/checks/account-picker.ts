import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { AccountFeaturesRow } from '../platform/rows.js';
import { periodName } from './not-configured.js';
import type { CheckResult } from './types.js';
import { formatCents } from './money.js';

export interface PickedAccount {
  readonly account: string;
  readonly source: 'plan' | 'picker';
  /** Why this account is checked: the plan's words, or the features it was picked to cover. */
  readonly reasons: readonly string[];
  readonly features: readonly string[];
}

/** The fewest accounts a rehearsal checks one by one, plan accounts included. */
export const MIN_PICKED_ACCOUNTS = 10;

const listed = (text: string | null): string[] => [...new Set((text ?? '').split(',').filter((v) => v !== ''))];

/** How the account pays: each method as `kind/processor`, and whether a card has expired. */
export function paymentFeatures(row: Pick<AccountFeaturesRow, 'payment_methods' | 'expired_cards'>): string[] {
  return [...listed(row.payment_methods).map((m) => `pays by ${m}`), ...(row.expired_cards > 0 ? ['expired card'] : [])];
}

/** The price plans of the account's packages. */
export function pricePlanFeatures(row: Pick<AccountFeaturesRow, 'price_plans'>): string[] {
  return listed(row.price_plans).map((p) => `price plan ${p}`);
}

/** What one account exercises, as names a release manager can read. */
export function featuresOf(row: AccountFeaturesRow): string[] {
  return [
    ...listed(row.period_months).map((p) => `billing period ${periodName(Number(p))}`),
    ...pricePlanFeatures(row),
    ...listed(row.discounts).map((d) => `discount ${d}`),
    ...(row.pool_role === 'no pool' ? [] : [row.pool_role]),
    ...(row.is_parent === 1 ? ['parent account'] : []),
    ...(row.is_child === 1 ? ['child account'] : []),
    ...paymentFeatures(row),
    ...(row.status === 'cancelled' ? ['cancelled account'] : []),
  ];
}

interface Extreme {
  readonly label: string;
  readonly value: (row: AccountFeaturesRow) => number;
  readonly show: (value: number) => string;
  best?: { account: string; value: number; features: string[] };
}

/**
 * Chooses accounts that together cover every feature present in the snapshot, deterministically:
 * accounts are read once in account-number order; each feature not covered by the plan's accounts
 * is covered by the first account that has it; the accounts with the most packages, the highest
 * balance and the most unrated usage are added (ties: the first in account order); then, up to
 * the minimum, the accounts exercising the most features. Memory grows with features, not accounts.
 */
export async function pickAccounts(engine: DatabaseEngine, profile: Profile, billDate: string, planAccounts: readonly { account: string; why: string }[], minimum = MIN_PICKED_ACCOUNTS): Promise<PickedAccount[]> {
  const planned = new Map(planAccounts.map((p) => [p.account, p.why]));
  const plannedFeatures = new Map<string, string[]>();
  const firstWith = new Map<string, { account: string; features: string[] }>();
  const extremes: Extreme[] = [
    { label: 'most packages', value: (r) => r.package_count, show: (v) => `${v} packages` },
    { label: 'highest balance', value: (r) => r.balance, show: (v) => formatCents(v) },
    { label: 'most usage', value: (r) => r.usage_minutes, show: (v) => `${v} unrated minutes` },
  ];
  let richest: { account: string; features: string[] }[] = [];
  for await (const row of profile.stream(engine, 'accountFeatures', { billMonth: billDate.slice(0, 7) })) {
    const features = featuresOf(row);
    if (planned.has(row.account_number)) plannedFeatures.set(row.account_number, features);
    for (const f of features) if (!firstWith.has(f)) firstWith.set(f, { account: row.account_number, features });
    for (const e of extremes) {
      const value = e.value(row);
      if (e.best === undefined || value > e.best.value) e.best = { account: row.account_number, value, features };
    }
    if (!planned.has(row.account_number)) {
      richest.push({ account: row.account_number, features });
      if (richest.length > minimum * 4) richest = mostFeaturesFirst(richest).slice(0, minimum * 2);
    }
  }

  const picked = new Map<string, { source: 'plan' | 'picker'; reasons: string[]; features: string[] }>();
  for (const { account, why } of planAccounts) picked.set(account, { source: 'plan', reasons: [why], features: plannedFeatures.get(account) ?? [] });
  const covered = new Set([...plannedFeatures.values()].flat());
  const add = (account: string, features: string[], reason: string): void => {
    const entry = picked.get(account);
    if (entry !== undefined) {
      entry.reasons.push(reason);
      return;
    }
    picked.set(account, { source: 'picker', reasons: [reason], features });
    for (const f of features) covered.add(f);
  };
  for (const feature of [...firstWith.keys()].sort()) {
    const first = firstWith.get(feature);
    if (first !== undefined && !covered.has(feature)) add(first.account, first.features, `covers ${feature}`);
  }
  for (const e of extremes) if (e.best !== undefined) add(e.best.account, e.best.features, `${e.label} (${e.show(e.best.value)})`);
  for (const r of mostFeaturesFirst(richest)) {
    if (picked.size >= minimum) break;
    if (!picked.has(r.account)) add(r.account, r.features, `exercises ${r.features.length} features at once`);
  }
  return [...picked.entries()].map(([account, p]) => ({ account, source: p.source, reasons: p.reasons, features: p.features }));
}

function mostFeaturesFirst(list: readonly { account: string; features: string[] }[]): { account: string; features: string[] }[] {
  return [...list].sort((a, b) => b.features.length - a.features.length || a.account.localeCompare(b.account));
}

/** The picked accounts and why each is checked; a report table, not a test of the release. */
export function describePicked(picked: readonly PickedAccount[], minimum = MIN_PICKED_ACCOUNTS): CheckResult {
  const features = new Set(picked.flatMap((p) => p.features));
  const enough = picked.length >= minimum;
  return {
    id: 'account-picker',
    title: 'Diverse accounts checked one by one: every feature in the snapshot covered',
    status: enough ? 'passed' : 'warning',
    summary: `${picked.length} accounts (${picked.filter((p) => p.source === 'plan').length} from the plan) together cover ${features.size} features of the snapshot${enough ? '' : `; the snapshot has fewer than ${minimum} accounts to pick`}`,
    evidence: picked.map((p) => ({ account: p.account, source: p.source, why: p.reasons.join('; '), features: p.features.join(', ') })),
  };
}
