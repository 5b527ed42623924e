/**
 * The billing service's one way into its database, whichever engine holds it. The bill run is
 * written once against this port; only the statement texts differ between engines.
 */

/** The platform stores integers (ids, cents, flags), text (ISO dates included) and NULL, nothing else. */
export type SqlValue = string | number | null;

/**
 * One statement in each dialect. Values are positional in both texts and bound in the same order:
 * `?` in SQLite, `@p0`, `@p1`... in T-SQL.
 */
export interface Statement {
  readonly sqlite: string;
  readonly tsql: string;
}

export type Dialect = keyof Statement;

export interface PlatformDatabase {
  readonly dialect: Dialect;
  /** The first row, or undefined when there is none. */
  get<T>(statement: Statement, ...values: SqlValue[]): Promise<T | undefined>;
  all<T>(statement: Statement, ...values: SqlValue[]): Promise<T[]>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(statement: Statement, ...values: SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one transaction on one connection, passing the handle to use inside it:
   * committed when `work` resolves, rolled back when it throws. A transaction begun on that
   * handle joins the one already open. Callers never overlap two transactions.
   */
  transaction<T>(work: (tx: PlatformDatabase) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A statement both engines accept exactly as written (brackets quote identifiers in SQLite too)
 * except for its placeholders: each `?` outside a string literal becomes `@p0`, `@p1`... for T-SQL.
 */
export function portable(sqlite: string): Statement {
  let next = 0;
  const tsql = sqlite
    .split("'")
    .map((part, i) => (i % 2 === 0 ? part.replaceAll('?', () => `@p${next++}`) : part))
    .join("'");
  return { sqlite, tsql };
}
