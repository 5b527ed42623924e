import type { ExecResult, Row } from '../src/engine/types.js';
import { ident, join as joinSql, sql, type Fragment, type SqlValue } from '../src/sql/fragment.js';
import { whereClause } from '../src/sanitize/apply.js';
import type { Masker } from '../src/sanitize/maskers.js';
import type { TableRule } from '../src/sanitize/rules.js';

/** What row by row needs of a database: the SQLite engine in-process, or a client of the round-trip server. */
export interface SqlSession {
  query(statement: Fragment): Promise<Row[]>;
  exec(statement: Fragment): Promise<ExecResult>;
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
}

/**
 * The first `limit` rows a rule masks, by rowid: the slice both row by row and the set-based
 * UPDATE it is compared with work on.
 */
export function sliceOf(rule: TableRule, limit: number): Fragment {
  return sql`rowid IN (SELECT rowid FROM ${ident(rule.table)}${whereClause(rule)} ORDER BY rowid LIMIT ${limit})`;
}

/**
 * The per-row alternative: read the slice, mask each value in JavaScript, one UPDATE per row by
 * rowid, all in one transaction. Over the round-trip server every UPDATE is one request.
 */
export async function timeRowByRow(session: SqlSession, rule: TableRule, masker: Masker, limit: number): Promise<{ ms: number; rows: number }> {
  const columns = rule.columns.map((c) => ident(c.column));
  const select = sql`SELECT rowid AS ${ident('_rowid')}, ${joinSql(columns, ', ')} FROM ${ident(rule.table)}${whereClause(rule, sliceOf(rule, limit))}`;
  const started = performance.now();
  const rows = await session.query(select);
  await session.transaction(async (tx) => {
    for (const row of rows) {
      const assignments = rule.columns.map(({ column, strategy }) => sql`${ident(column)} = ${masker.mask(strategy, row[column]) as SqlValue}`);
      await tx.exec(sql`UPDATE ${ident(rule.table)} SET ${joinSql(assignments, ', ')} WHERE rowid = ${row['_rowid'] ?? null}`);
    }
  });
  return { ms: performance.now() - started, rows: rows.length };
}
