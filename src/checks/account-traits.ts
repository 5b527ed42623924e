import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { AccountFeaturesRow } from '../platform/rows.js';
import { paymentFeatures, pricePlanFeatures } from './account-picker.js';
import { traitsOf } from './production-diff.js';
import type { AccountTraitSource } from './state-differential-causes.js';

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
        visit(row.account_number, own === undefined ? traitsOf(row) : [...traitsOf(row), ...paymentFeatures(own), ...pricePlanFeatures(own)]);
      }
    } finally {
      await features?.return?.();
    }
  };
}
