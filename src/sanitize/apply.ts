import { sql, ident, join, type Fragment, type SqlPart } from '../sql/fragment.js';
import type { DatabaseEngine } from '../engine/types.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { UserError } from '../errors.js';
import type { Progress } from '../ui/progress.js';
import type { Filter, RuleSet, Strategy, TableRule } from './rules.js';
import type { Masker } from './maskers.js';

export interface TableMaskResult {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly durationMs: number;
}

const MASK_FUNCTION = 'rehearsal_mask';

/**
 * One set-based UPDATE per rule, each in its own transaction: a table is either fully masked or
 * untouched, and re-running on an already masked copy is harmless.
 */
export async function applyRules(engine: DatabaseEngine, ruleSet: RuleSet, masker: Masker, progress: Progress): Promise<TableMaskResult[]> {
  registerMaskFunction(engine, masker);
  const results: TableMaskResult[] = [];
  for (const rule of ruleSet.rules) {
    const started = performance.now();
    const { rowsAffected } = await engine.transaction((tx) => tx.exec(updateFor(rule)));
    const durationMs = performance.now() - started;
    const rate = durationMs > 0 ? Math.round((rowsAffected / durationMs) * 1000) : rowsAffected;
    progress.detail(`${rule.table}: ${rowsAffected.toLocaleString('en-US')} rows in ${Math.round(durationMs)} ms (${rate.toLocaleString('en-US')} rows/s)`);
    results.push({ table: rule.table, columns: rule.columns.map((c) => c.column), rows: rowsAffected, durationMs });
  }
  return results;
}

export function updateFor(rule: TableRule): Fragment {
  const assignments = rule.columns.map(({ column, strategy }) => sql`${ident(column)} = ${maskExpression(strategy, column)}`);
  const where = rule.filters.length === 0 ? sql`` : sql` WHERE ${join(rule.filters.map(filterExpression), ' AND ')}`;
  return sql`UPDATE ${ident(rule.table)} SET ${join(assignments, ', ')}${where}`;
}

function maskExpression(strategy: Strategy, column: string): Fragment {
  if (strategy.kind === 'null') return sql`NULL`;
  if (strategy.kind === 'constant') return sql`${strategy.value}`;
  if (strategy.kind === 'keep') return sql`${ident(column)}`;
  return sql`${ident(MASK_FUNCTION)}(${JSON.stringify(strategy)}, ${ident(column)})`;
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

function registerMaskFunction(engine: DatabaseEngine, masker: Masker): void {
  if (!(engine instanceof SqliteEngine)) {
    throw new UserError(
      `Masking rules run on SQLite only for now; ${engine.description} is ${engine.kind}. ` +
        'On SQL Server, sanitize with vendor scripts until the T-SQL masking compiler lands.',
    );
  }
  const parsed = new Map<string, Strategy>();
  engine.connection.function(MASK_FUNCTION, { deterministic: true }, (strategyJson: unknown, value: unknown) => {
    const key = String(strategyJson);
    let strategy = parsed.get(key);
    if (strategy === undefined) {
      strategy = JSON.parse(key) as Strategy;
      parsed.set(key, strategy);
    }
    return masker.mask(strategy, value) as string | number | null;
  });
}
