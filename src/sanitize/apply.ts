import { sql, ident, join, type Fragment, type SqlPart } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';
import { SqliteEngine } from '../engine/sqlite.js';
import type { Progress } from '../ui/progress.js';
import type { Filter, RuleSet, TableRule } from './rules.js';
import type { Masker } from './maskers.js';
import { FAKE_KINDS, fakeTableName } from './fake-values.js';
import { fakeValueStatements } from './fake-value-tables.js';
import { HASH_PURPOSES, SQLITE_SCRUB_FUNCTION, maskExpression, sqliteHashFunction, sqliteMaskOps, tsqlMaskOps, type MaskSqlOps, type MaskingSql } from './mask-sql.js';

export interface TableMaskResult {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
}

export function rowsPerSecond(rows: number, durationMs: number): number {
  return durationMs > 0 ? Math.round((rows / durationMs) * 1000) : rows;
}

/**
 * One set-based UPDATE per rule, each in its own transaction: a table is either fully masked or
 * untouched, and re-running on an already masked copy is harmless. The run's fake-value tables
 * exist only while the rules run.
 */
export async function applyRules(engine: DatabaseEngine, ruleSet: RuleSet, masker: Masker, safeDomain: string, progress: Progress): Promise<TableMaskResult[]> {
  const ops = await prepareMasking(engine, masker);
  try {
    const results: TableMaskResult[] = [];
    for (const rule of ruleSet.rules) {
      const started = performance.now();
      const { rowsAffected } = await engine.transaction((tx) => tx.exec(updateFor(rule, { ops, safeDomain })));
      const durationMs = performance.now() - started;
      const rate = rowsPerSecond(rowsAffected, durationMs);
      progress.detail(`${rule.table}: ${rowsAffected.toLocaleString('en-US')} rows in ${Math.round(durationMs)} ms (${rate.toLocaleString('en-US')} rows/s)`);
      results.push({ table: rule.table, columns: rule.columns.map((c) => c.column), rows: rowsAffected, durationMs, rowsPerSecond: rate });
    }
    return results;
  } finally {
    await dropFakeValueTables(engine);
  }
}

export function updateFor(rule: TableRule, masking?: MaskingSql): Fragment {
  const assignments = rule.columns.map(({ column, strategy }) => sql`${ident(column)} = ${maskExpression(strategy, column, masking)}`);
  return sql`UPDATE ${ident(rule.table)} SET ${join(assignments, ', ')}${whereClause(rule)}`;
}

export function whereClause(rule: TableRule): Fragment {
  return rule.filters.length === 0 ? sql`` : sql` WHERE ${join(rule.filters.map(filterExpression), ' AND ')}`;
}

function filterExpression(filter: Filter): Fragment {
  switch (filter.op) {
    case 'eq':
      return sql`${ident(filter.column)} = ${filter.value}`;
    case 'like':
      return sql`${ident(filter.column)} LIKE ${filter.value}`;
    case 'in':
      return sql`${ident(filter.column)} IN (${join(filter.values as SqlPart[], ', ')})`;
  }
}

/** The engine's masking expressions, with the run's fake-value tables filled and (on SQLite) its functions registered. */
export async function prepareMasking(engine: DatabaseEngine, masker: Masker): Promise<MaskSqlOps> {
  await dropFakeValueTables(engine);
  for (const statement of fakeValueStatements(engine.dialect.name, masker)) await engine.exec(statement);
  if (engine.dialect.name === 'tsql') return tsqlMaskOps(masker.keys.secretKeys);
  if (!(engine instanceof SqliteEngine)) throw new Error(`no masking functions for a ${engine.kind} engine without a T-SQL dialect`);
  const connection = engine.connection;
  // Deterministic lets SQLite treat the functions like built-ins; direct-only keeps a trigger or
  // view in the restored copy from calling them.
  const options = { deterministic: true, directOnly: true };
  for (const purpose of HASH_PURPOSES) {
    // SQLite evaluates an expression that uses the hash twice (e-mail, full name) by calling
    // the function twice in a row with the same value; remembering the last answer spares the
    // second hash.
    let lastText: string | undefined;
    let lastHash = 0n;
    connection.function(sqliteHashFunction(purpose), options, (value: unknown) => {
      if (value === null) return null;
      const text = String(value);
      if (text !== lastText) {
        lastHash = BigInt(masker.hash(purpose, text));
        lastText = text;
      }
      return lastHash;
    });
  }
  connection.function(SQLITE_SCRUB_FUNCTION, options, (value: unknown) => (value === null ? null : masker.scrubText(String(value))));
  return sqliteMaskOps;
}

/** They hold only fake values, but the proof and the bill run should see the platform's own tables only. */
export async function dropFakeValueTables(engine: DatabaseEngine): Promise<void> {
  for (const kind of FAKE_KINDS) await engine.exec(sql`DROP TABLE IF EXISTS ${ident(fakeTableName(kind))}`);
}
