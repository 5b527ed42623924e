import { sql, ident, join, type Fragment, type SqlPart, type SqlValue } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';
import { SqliteEngine } from '../engine/sqlite.js';
import type { Progress } from '../ui/progress.js';
import type { Filter, RuleSet, TableRule } from './rules.js';
import type { Masker } from './maskers.js';
import { FAKE_KINDS, fakeTableName } from './fake-values.js';
import { fakeValueStatements } from './fake-value-tables.js';
import { BATCH_ATTEMPTS, DEFAULT_BATCH_ROWS, batchKeyColumn, batchRange, batchUpperBound, tableRowCount } from './batches.js';
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

export interface ApplyOptions {
  /** Rows per batch (`sanitize.batchRows`). */
  readonly batchRows?: number;
}

/**
 * Each rule is a set-based UPDATE run in key-range batches, each batch its own transaction: a
 * 200 GB copy never holds one transaction the size of a rewritten table, and a batch that fails
 * (a deadlock, a dropped connection) is tried again from the last committed batch rather than
 * rolling back hours of work. Re-running on an already masked copy is harmless. On SQL Server
 * the copy is switched to the SIMPLE recovery model first: it is a copy and never needs
 * point-in-time recovery, and committed batches then free their log. The run's fake-value tables
 * exist only while the rules run.
 */
export async function applyRules(engine: DatabaseEngine, ruleSet: RuleSet, masker: Masker, safeDomain: string, progress: Progress, options: ApplyOptions = {}): Promise<TableMaskResult[]> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (engine.dialect.name === 'tsql') await engine.exec(sql`ALTER DATABASE CURRENT SET RECOVERY SIMPLE`);
  const ops = await prepareMasking(engine, masker);
  try {
    const results: TableMaskResult[] = [];
    for (const rule of ruleSet.rules) {
      const started = performance.now();
      const { rows, batches } = await maskTable(engine, rule, { ops, safeDomain }, batchRows, progress);
      const durationMs = performance.now() - started;
      const rate = rowsPerSecond(rows, durationMs);
      progress.detail(`${rule.table}: ${rows.toLocaleString('en-US')} rows in ${Math.round(durationMs)} ms (${rate.toLocaleString('en-US')} rows/s, ${batches === 1 ? 'one batch' : `${batches.toLocaleString('en-US')} batches`})`);
      results.push({ table: rule.table, columns: rule.columns.map((c) => c.column), rows, durationMs, rowsPerSecond: rate });
    }
    return results;
  } finally {
    await dropFakeValueTables(engine);
  }
}

/** One rule, batch by batch in key order; a table without a usable key is one batch. */
async function maskTable(engine: DatabaseEngine, rule: TableRule, masking: MaskingSql, batchRows: number, progress: Progress): Promise<{ rows: number; batches: number }> {
  const key = await batchKeyColumn(engine, rule.table, rule.columns.map((c) => c.column));
  if (key === undefined) {
    progress.detail(`${rule.table}: no single-column key the rule leaves alone, masked in one statement`);
    const { rowsAffected } = await attempt(rule.table, progress, () => engine.transaction((tx) => tx.exec(updateFor(rule, masking))));
    return { rows: rowsAffected, batches: 1 };
  }
  const total = await tableRowCount(engine, rule.table);
  const label = `${rule.table} rows`;
  let after: SqlValue | undefined;
  let rows = 0;
  let batches = 0;
  for (;;) {
    const done = await attempt(rule.table, progress, () =>
      engine.transaction(async (tx) => {
        const upper = await batchUpperBound(tx, rule.table, key, after, batchRows);
        const { rowsAffected } = await tx.exec(updateFor(rule, masking, batchRange(key, after, upper)));
        return { upper, rowsAffected };
      }),
    );
    rows += done.rowsAffected;
    batches++;
    progress.tick(label, Math.min(batches * batchRows, total), total);
    if (done.upper === undefined) return { rows, batches };
    after = done.upper;
  }
}

/** Runs one batch, again from the last committed batch when it fails, up to BATCH_ATTEMPTS times. */
async function attempt<T>(table: string, progress: Progress, batch: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await batch();
    } catch (error) {
      if (tries >= BATCH_ATTEMPTS) throw error;
      progress.detail(`${table}: a batch failed (${(error as Error).message.split('\n')[0]}); trying it again from the last committed batch (${tries + 1} of ${BATCH_ATTEMPTS})`);
    }
  }
}

export function updateFor(rule: TableRule, masking?: MaskingSql, range?: Fragment): Fragment {
  const assignments = rule.columns.map(({ column, strategy }) => sql`${ident(column)} = ${maskExpression(strategy, column, masking)}`);
  return sql`UPDATE ${ident(rule.table)} SET ${join(assignments, ', ')}${whereClause(rule, range)}`;
}

/** The rule's filters, and a batch's key range when there is one. */
export function whereClause(rule: TableRule, range?: Fragment): Fragment {
  const conditions = [...rule.filters.map(filterExpression), ...(range === undefined ? [] : [range])];
  return conditions.length === 0 ? sql`` : sql` WHERE ${join(conditions, ' AND ')}`;
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
