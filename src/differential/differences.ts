export type DifferenceKind = 'changed' | 'only-in-rehearsal' | 'only-in-production' | 'deleted-only-in-rehearsal' | 'deleted-only-in-production';

export type CellValue = string | number | bigint | null;

/** One row the two bill runs left differently. */
export interface RowDifference {
  readonly table: string;
  readonly kind: DifferenceKind;
  /** How the row is known: its key, or its unique key for an added row. */
  readonly row: string;
  readonly account: string | undefined;
  /** For `changed`: every compared column whose values differ. For rows on one side: how many such rows. */
  readonly columns: readonly { readonly column: string; readonly rehearsal: CellValue; readonly production: CellValue }[];
  readonly count: number;
  /** For rows on one side only: the compared content of the row (a reference by the referenced row's unique key). */
  readonly content?: readonly { readonly column: string; readonly value: CellValue }[];
}

export interface DifferenceGroup {
  readonly table: string;
  /** The column for changed rows, or what happened to the row. */
  readonly what: string;
  rows: number;
  readonly accounts: Set<string>;
  readonly example: RowDifference;
}

/** Accounts kept per group and overall: enough to rank causes, bounded at a million differing accounts. */
export const MAX_DIFFERING_ACCOUNTS = 10_000;

/** Differences folded into groups by table and column (or row fate), each with its first row as the example. */
export class DifferenceSummary {
  readonly groups = new Map<string, DifferenceGroup>();
  readonly accounts = new Set<string>();
  rows = 0;

  add(difference: RowDifference): void {
    this.rows += difference.count;
    if (difference.account !== undefined && this.accounts.size < MAX_DIFFERING_ACCOUNTS) this.accounts.add(difference.account);
    const whats = difference.kind === 'changed' ? difference.columns.map((c) => c.column) : [difference.kind];
    for (const what of whats) {
      const id = `${difference.table}\u0000${what}`;
      let group = this.groups.get(id);
      if (group === undefined) {
        group = { table: difference.table, what, rows: 0, accounts: new Set(), example: difference };
        this.groups.set(id, group);
      }
      group.rows += difference.count;
      if (difference.account !== undefined && group.accounts.size < MAX_DIFFERING_ACCOUNTS) group.accounts.add(difference.account);
    }
  }

  /** Largest groups first. */
  sortedGroups(): DifferenceGroup[] {
    return [...this.groups.values()].sort((a, b) => b.rows - a.rows || a.table.localeCompare(b.table) || a.what.localeCompare(b.what));
  }
}
