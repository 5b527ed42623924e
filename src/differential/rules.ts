/** What the plan says may differ between the rehearsal's bill run and production's, and why. */
export interface DifferentialRules {
  /** Tables left out of the comparison, with the plan's reason. */
  readonly ignoreTables: ReadonlyMap<string, string>;
  /** `table.column` left out of every comparison, with the plan's reason. */
  readonly ignoreColumns: ReadonlyMap<string, string>;
}

/** The plan's ignore list as lookups. */
export function differentialRules(ignore: readonly { readonly table?: string; readonly column?: string; readonly reason: string }[]): DifferentialRules {
  return {
    ignoreTables: new Map(ignore.flatMap((i) => (i.table !== undefined ? [[i.table, i.reason] as const] : []))),
    ignoreColumns: new Map(ignore.flatMap((i) => (i.column !== undefined ? [[i.column, i.reason] as const] : []))),
  };
}

/** The platform's account table and the column people know an account by, for attribution. */
export interface AccountIdentity {
  readonly table: string;
  readonly key: string;
}

/**
 * The comparison rules that hold for every platform, listed in every report so nobody has to
 * guess what was not compared.
 */
export const DEFAULT_RULES: readonly string[] = [
  'text shaped like a date with a time of day other than midnight (YYYY-MM-DD HH:MM…) is a wall-clock timestamp: compared as present or absent, never by value',
  'text shaped like a GUID is generated: compared as present or absent',
  'rows the bill run added are matched by their content, not by the integer key the engine numbered them with; a reference to such a row is compared by the referenced row\'s unique key where it has one',
  "the tool's own tables (run marker, seal, masking tables) are not compared",
];
