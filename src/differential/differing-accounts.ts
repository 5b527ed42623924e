import type { ComparableAccount } from '../checks/comparable-accounts.js';
import { conceptDefinition } from '../platform/concepts.js';
import { normalizeRow } from '../platform/profile.js';
import type { Row } from '../engine/types.js';

/** The columns of `comparableAccounts` every adapter returns: all of them take part in finding differing accounts. */
export const ACCOUNT_COLUMNS: readonly string[] = Object.keys(conceptDefinition('comparableAccounts').columns);
export const CHARGE_COLUMNS: readonly string[] = Object.keys(conceptDefinition('charges').columns);

/** Accounts sharing one combination of the traits production-diff groups causes by, counted on the side the merge would read. */
export interface TraitGroup {
  readonly row: Pick<ComparableAccount, 'package_traits' | 'pool_role' | 'is_child'>;
  readonly accounts: number;
}

/**
 * What the engine worked out across both databases, for the production diff to fold exactly as
 * it folds its streaming merge: the accounts seen, the trait base rates, and only the accounts
 * whose rows or charges differ in any way, both sides of each.
 */
export interface DifferingAccounts {
  /** Accounts on either side. */
  readonly accounts: number;
  /** Accounts on both sides. */
  readonly inBoth: number;
  /** In the order of each group's first account (code points): the order the merge first meets them. */
  readonly traitGroups: readonly TraitGroup[];
  /** Every differing account in account-number order (code points), with its row on each side (undefined: no row). */
  differing(): AsyncIterable<readonly [ComparableAccount | undefined, ComparableAccount | undefined]>;
}

/** A row of the one ordered stream of differing rows: `what` 0 an account row, 1 a charge; `side` 0 the rehearsal, 1 production. */
export interface DifferingRow extends Row {
  side: number;
  what: number;
}

/**
 * Folds the ordered stream (account, side, account row before its charges) into pairs of
 * comparable accounts, charges summed by kind in cents exactly as `comparableAccounts` sums them.
 */
export async function* pairDifferingRows(rows: AsyncIterable<DifferingRow>): AsyncIterable<readonly [ComparableAccount | undefined, ComparableAccount | undefined]> {
  let account: string | undefined;
  let sides: [ComparableAccount | undefined, ComparableAccount | undefined] = [undefined, undefined];
  for await (const row of rows) {
    const number = String(row['account_number']);
    if (number !== account) {
      if (account !== undefined && (sides[0] !== undefined || sides[1] !== undefined)) yield sides;
      account = number;
      sides = [undefined, undefined];
    }
    const side = Number(row.side) === 0 ? 0 : 1;
    if (Number(row.what) === 0) {
      const values: Row = {};
      for (const column of ACCOUNT_COLUMNS) values[column] = row[column] ?? null;
      sides[side] = Object.assign(normalizeRow('comparableAccounts', values), { chargesByKind: new Map<string, number>() });
      continue;
    }
    const owner = sides[side];
    // Charges of an account with no row on that side are skipped, as the merge skips them.
    if (owner === undefined) continue;
    const charge = normalizeRow('charges', { account_number: number, kind: row['kind'] ?? null, amount: row['amount'] ?? null });
    const byKind = owner.chargesByKind as Map<string, number>;
    byKind.set(charge.kind, (byKind.get(charge.kind) ?? 0) + charge.amount);
  }
  if (account !== undefined && (sides[0] !== undefined || sides[1] !== undefined)) yield sides;
}
