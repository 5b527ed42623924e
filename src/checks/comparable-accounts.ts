import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { ChargeRow, ComparableAccountRow } from '../platform/rows.js';

/** One account's outcome with this bill run's charges summed by kind (cents). */
export type ComparableAccount = ComparableAccountRow & { readonly chargesByKind: ReadonlyMap<string, number> };

/**
 * Every account's outcome in account-number order (code points), each with its charges: the
 * `comparableAccounts` and `charges` concepts read side by side in one pass, so memory holds one
 * account's charges at a time. `accounts` narrows both to a few accounts.
 */
export async function* comparableAccounts(profile: Profile, engine: DatabaseEngine, billDate: string, accounts?: readonly string[]): AsyncIterable<ComparableAccount> {
  const options = accounts === undefined ? {} : { accounts };
  const charges = profile.stream(engine, 'charges', { billDate }, options)[Symbol.asyncIterator]();
  let charge: IteratorResult<ChargeRow> = await charges.next();
  for await (const row of profile.stream(engine, 'comparableAccounts', { billDate }, options)) {
    while (!charge.done && charge.value.account_number < row.account_number) charge = await charges.next();
    const byKind = new Map<string, number>();
    while (!charge.done && charge.value.account_number === row.account_number) {
      byKind.set(charge.value.kind, (byKind.get(charge.value.kind) ?? 0) + charge.value.amount);
      charge = await charges.next();
    }
    yield Object.assign(row, { chargesByKind: byKind });
  }
  await charges.return?.();
}
