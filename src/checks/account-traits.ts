import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { AccountFeaturesRow, ComparableAccountRow } from '../platform/rows.js';
import { paymentFeatures, pricePlanFeatures } from './account-picker.js';
import { periodName } from './not-configured.js';
import type { AccountTraitSource } from './state-differential-causes.js';

/** Features an account shares with others, to group differences by cause (e.g. "holds a yearly package"). */
export function traitsOf(row: Pick<ComparableAccountRow, 'package_traits' | 'pool_role' | 'is_child'>): string[] {
  const traits = (row.package_traits ?? '').split(',').filter((t) => t !== '');
  const periods = [...new Set(traits.map((t) => periodName(Number(t.replace('+discount', '')))))].sort();
  return [
    ...periods.map((period) => `holds a ${period} package`),
    traits.some((t) => t.endsWith('+discount')) ? 'has a discount' : 'no discount',
    `pool: ${row.pool_role}`,
    row.is_child === 1 ? 'child account' : 'top-level account',
  ];
}

/** What `accountFeatures` adds to the production diff's traits: how the account pays, and its price plans. */
export function featureTraits(row: AccountFeaturesRow): string[] {
  return [...paymentFeatures(row), ...pricePlanFeatures(row)];
}

/** Every account's `featureTraits`, in code-point order; nothing when the profile has no `accountFeatures`. */
export async function forEachFeatureTraits(engine: DatabaseEngine, profile: Profile, billDate: string, visit: (account: string, traits: readonly string[]) => void): Promise<void> {
  if (!profile.has('accountFeatures')) return;
  for await (const row of profile.stream(engine, 'accountFeatures', { billMonth: billDate.slice(0, 7) })) visit(row.account_number, featureTraits(row));
}

/**
 * Every account's traits for ranking the state differential's causes: the production diff's
 * (package periods, discount, pool, hierarchy) plus, where the profile has `accountFeatures`, how
 * the account pays and its price plans. A difference in payments often follows the payment method
 * (an eCheck rule, one processor) rather than anything about the packages. Both concepts come in
 * code-point order and are read side by side, one row of each at a time.
 */
export function accountTraitSource(engine: DatabaseEngine, profile: Profile, billDate: string): AccountTraitSource {
  return async (visit) => {
    if (!profile.has('comparableAccounts')) return;
    const features = profile.has('accountFeatures') ? profile.stream(engine, 'accountFeatures', { billMonth: billDate.slice(0, 7) })[Symbol.asyncIterator]() : undefined;
    let feature: IteratorResult<AccountFeaturesRow> | undefined = await features?.next();
    try {
      for await (const row of profile.stream(engine, 'comparableAccounts', { billDate })) {
        while (feature !== undefined && !feature.done && feature.value.account_number < row.account_number) feature = await features?.next();
        const own = feature !== undefined && !feature.done && feature.value.account_number === row.account_number ? feature.value : undefined;
        visit(row.account_number, own === undefined ? traitsOf(row) : [...traitsOf(row), ...featureTraits(own)]);
      }
    } finally {
      await features?.return?.();
    }
  };
}
