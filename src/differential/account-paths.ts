import type { TableShape } from './table-shapes.js';
import type { AccountIdentity } from './rules.js';

/** One reference followed: the column of `table` that points onwards (found by `key` for every hop but the first). */
export interface AccountHop {
  readonly table: string;
  readonly column: string;
  readonly key: string;
}

/** References from a row to the account table: hops, then the account table's column the last hop names. */
export interface AccountPath {
  readonly hops: readonly AccountHop[];
  readonly references: string;
}

/** How a row of a table names its account: it is the account row, or it follows one of `paths` (the first that names one wins). */
export type AccountRoute = { readonly self: true } | { readonly self: false; readonly paths: readonly AccountPath[] };

/**
 * The references leading from a row of `table` to the account table (up to three hops);
 * undefined where no path exists. Only the shortest paths are kept; where several are equally
 * short, each is tried in turn, so a nullable reference (an invoice item's package, NULL for its
 * tax line) does not leave the row without its account. Both engines render the same route.
 */
export function accountRoute(shapes: ReadonlyMap<string, TableShape>, table: string, accounts: AccountIdentity): AccountRoute | undefined {
  if (shapes.get(accounts.table) === undefined) return undefined;
  if (table === accounts.table) return { self: true };
  interface Step { table: string; hops: AccountHop[]; depth: number }
  const queue: Step[] = [{ table, hops: [], depth: 0 }];
  const seen = new Set([table]);
  const found: AccountPath[] = [];
  let foundDepth = Number.POSITIVE_INFINITY;
  while (queue.length > 0) {
    const step = queue.shift() as Step;
    const shape = shapes.get(step.table);
    if (shape === undefined || step.depth >= 3 || step.depth > foundDepth) continue;
    for (const fk of shape.foreignKeys) {
      const hops = [...step.hops, { table: step.table, column: fk.column, key: shape.primaryKey[0] ?? 'rowid' }];
      if (fk.table === accounts.table) {
        found.push({ hops, references: fk.references });
        foundDepth = step.depth;
        continue;
      }
      if (seen.has(fk.table) || shapes.get(fk.table)?.primaryKey.length !== 1) continue;
      seen.add(fk.table);
      queue.push({ table: fk.table, hops, depth: step.depth + 1 });
    }
  }
  return found.length === 0 ? undefined : { self: false, paths: found };
}
