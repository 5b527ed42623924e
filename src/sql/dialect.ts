import { type Fragment, type IdentifierQuoting, type SqlStatement, render, sql, keyword } from './fragment.js';

/** What differs between SQL engines in the SQL the product generates. */
export interface Dialect extends IdentifierQuoting {
  readonly name: 'sqlite' | 'tsql';
  render(fragment: Fragment): SqlStatement;
  /** `SELECT ... ` limited to the first n rows, in the engine's syntax. */
  selectFirst(n: number, columns: Fragment, rest: Fragment): Fragment;
  /** `SELECT ... ` of the one row at 0-based position `offset` in `rest`'s ORDER BY. */
  selectAt(offset: number, columns: Fragment, rest: Fragment): Fragment;
  /** Text type for columns the product creates (run marker and its own tables). */
  readonly textType: string;
  /** The values of `expr` in a group joined with ',' in the order of `orderBy`. */
  orderedConcat(expr: Fragment, orderBy: Fragment): Fragment;
  /**
   * `expr` compared by code point, the order JavaScript's `<` uses: two sorted streams merged in
   * JavaScript must agree on it, and SQL Server's usual collations ignore case and hyphens.
   */
  codePointOrder(expr: Fragment): Fragment;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  textType: 'TEXT',
  quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  },
  render(fragment) {
    return render(fragment, this);
  },
  selectFirst(n, columns, rest) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`row limit must be a non-negative integer, got ${n}`);
    return sql`SELECT ${columns} ${rest} LIMIT ${keyword(String(n))}`;
  },
  selectAt(offset, columns, rest) {
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`row offset must be a non-negative integer, got ${offset}`);
    return sql`SELECT ${columns} ${rest} LIMIT 1 OFFSET ${keyword(String(offset))}`;
  },
  orderedConcat(expr, orderBy) {
    return sql`group_concat(${expr}, ',' ORDER BY ${orderBy})`;
  },
  codePointOrder(expr) {
    return sql`${expr} COLLATE BINARY`;
  },
};
