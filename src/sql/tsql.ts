import { type Dialect } from './dialect.js';
import { render, sql, keyword } from './fragment.js';
import { UserError } from '../errors.js';

/** SQL Server's limit for identifiers (sysname is nvarchar(128)). */
const MAX_IDENTIFIER_LENGTH = 128;

/**
 * T-SQL: identifiers in brackets with `]` doubled, values as `@pN` parameters, which is exactly
 * the named-input syntax the `mssql` driver binds.
 */
export const tsqlDialect: Dialect = {
  name: 'tsql',
  textType: 'NVARCHAR(400)',
  quoteIdentifier(name: string): string {
    if (name.length === 0 || name.includes('\u0000') || name.length > MAX_IDENTIFIER_LENGTH) {
      const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
      throw new UserError(
        `${shown} cannot be a SQL Server table or column name: names must be 1 to ${MAX_IDENTIFIER_LENGTH} characters without NUL ` +
          `(this one has ${name.length} characters). Correct the name in the plan or rule file so it matches the real table or column.`,
      );
    }
    return `[${name.replaceAll(']', ']]')}]`;
  },
  render(fragment) {
    return render(fragment, this);
  },
  selectFirst(n, columns, rest) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`row limit must be a non-negative integer, got ${n}`);
    return sql`SELECT TOP (${keyword(String(n))}) ${columns} ${rest}`;
  },
  selectAt(offset, columns, rest) {
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`row offset must be a non-negative integer, got ${offset}`);
    return sql`SELECT ${columns} ${rest} OFFSET ${keyword(String(offset))} ROWS FETCH NEXT 1 ROWS ONLY`;
  },
  orderedConcat(expr, orderBy) {
    // STRING_AGG needs SQL Server 2017 (14.x); NVARCHAR(MAX) keeps long groups from truncating at 8000 bytes.
    return sql`STRING_AGG(CAST(${expr} AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY ${orderBy})`;
  },
  codePointOrder(expr) {
    // BIN2 compares code points; the older BIN compares only the first character that way.
    return sql`${expr} COLLATE Latin1_General_BIN2`;
  },
};
