import { sql, ident, type Fragment, type SqlValue } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';

/**
 * Rows per batch when the plan does not say. Measured on SQLite at 100k accounts (CPU time, the
 * best of three interleaved rounds, one statement per table as the baseline): 10,000-row batches
 * cost 1.21×, 50,000 1.11×, 250,000 1.06×. 50,000 keeps most of that saving while a SQL Server
 * batch's log stays at tens of MB rather than the size of a rewritten table; the log side is not
 * measurable without a server. `npm run bench` times the same sweep in wall time.
 */
export const DEFAULT_BATCH_ROWS = 50_000;

/** A failed batch is tried again from the last committed one this many times before sanitize fails. */
export const BATCH_ATTEMPTS = 3;

/**
 * The single column a rule's table is walked by, in key order: its one-column primary key, or on
 * SQLite the rowid of an ordinary table. Undefined when there is none, or when the rule rewrites
 * that column (rewriting the key would move rows across batch bounds): such a table is masked in
 * one statement.
 */
export async function batchKeyColumn(engine: DatabaseEngine, table: string, maskedColumns: readonly string[]): Promise<string | undefined> {
  const masked = new Set(maskedColumns.map((c) => c.toLowerCase()));
  const usable = (column: string | undefined): string | undefined => (column !== undefined && !masked.has(column.toLowerCase()) ? column : undefined);
  if (engine.dialect.name === 'tsql') {
    const keys = await engine.query<{ key_column: string }>(sql`SELECT c.name AS key_column
      FROM sys.indexes AS i
      JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
      JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
      WHERE i.is_primary_key = 1 AND i.object_id = OBJECT_ID(${table})`);
    return keys.length === 1 ? usable(keys[0]?.key_column) : undefined;
  }
  const [definition] = await engine.query<{ sql: string | null }>(sql`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ${table}`);
  const keys = await engine.query<{ name: string; type: string }>(sql`SELECT name, type FROM pragma_table_info(${table}) WHERE pk > 0`);
  if (/\bWITHOUT\s+ROWID\b/i.test(definition?.sql ?? '')) return keys.length === 1 ? usable(keys[0]?.name) : undefined;
  // An INTEGER PRIMARY KEY is the rowid under its own name; any other rowid table still has one.
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && only.type.toUpperCase() === 'INTEGER') return usable(only.name);
  return 'rowid';
}

/** Where a batch ends: the key of its last row, or undefined when it runs to the end of the table. */
export async function batchUpperBound(engine: DatabaseEngine, table: string, key: string, after: SqlValue | undefined, rows: number): Promise<SqlValue | undefined> {
  const from = after === undefined ? sql`FROM ${ident(table)}` : sql`FROM ${ident(table)} WHERE ${ident(key)} > ${after}`;
  const [row] = await engine.query<{ upper_key: SqlValue }>(engine.dialect.selectAt(rows - 1, sql`${ident(key)} AS upper_key`, sql`${from} ORDER BY ${ident(key)}`));
  return row?.upper_key;
}

/** The condition that keeps an UPDATE inside one batch's key range. */
export function batchRange(key: string, after: SqlValue | undefined, upper: SqlValue | undefined): Fragment | undefined {
  if (after === undefined && upper === undefined) return undefined;
  if (after === undefined) return sql`${ident(key)} <= ${upper ?? null}`;
  if (upper === undefined) return sql`${ident(key)} > ${after}`;
  return sql`${ident(key)} > ${after} AND ${ident(key)} <= ${upper}`;
}

/**
 * Rows in a table, for progress: SQL Server's partition counts (no scan of a 200 GB table just to
 * draw a progress bar), SQLite's COUNT(*).
 */
export async function tableRowCount(engine: DatabaseEngine, table: string): Promise<number> {
  const [row] = await engine.query<{ row_count: number | bigint | null }>(
    engine.dialect.name === 'tsql'
      ? sql`SELECT SUM(p.rows) AS row_count FROM sys.partitions AS p WHERE p.object_id = OBJECT_ID(${table}) AND p.index_id IN (0, 1)`
      : sql`SELECT COUNT(*) AS row_count FROM ${ident(table)}`,
  );
  return Number(row?.row_count ?? 0);
}
