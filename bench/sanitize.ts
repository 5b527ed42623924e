import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteEngine } from '../src/engine/sqlite.js';
import { sql, ident, join as joinSql, type Fragment, type SqlValue } from '../src/sql/fragment.js';
import { loadRuleSet, type TableRule } from '../src/sanitize/rules.js';
import { createMasker, type Masker } from '../src/sanitize/maskers.js';
import { dropFakeValueTables, prepareMasking, rowsPerSecond, updateFor, whereClause } from '../src/sanitize/apply.js';

const RULES = fileURLToPath(new URL('../sanitize/sample-platform.yaml', import.meta.url));
const SAFE_DOMAIN = 'rehearsal.invalid';
/** Rows per table updated one at a time; the full-table figure is extrapolated from it. */
export const ROW_BY_ROW_SLICE = 20_000;

export interface SanitizeBenchRule {
  /** 1-based position in the rule file; settings has several rules. */
  readonly rule: number;
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly sanitizeMs: number;
  readonly rowsPerSecond: number;
  /** `UPDATE t SET c = c, ...` over the same rows and columns; the faster of a run before and after masking. */
  readonly noOpMs: number;
  /** `UPDATE t SET c = c || '.', ...`: every value really changes, so every page is written, with no masking work. */
  readonly rewriteMs: number;
  readonly rowByRowSliceRows: number;
  readonly rowByRowSliceMs: number;
  readonly rowByRowExtrapolatedMs: number;
}

export interface SanitizeBenchResult {
  readonly engine: 'sqlite';
  readonly rows: number;
  /** Creating and filling the run's fake-value tables, once per run. */
  readonly setupMs: number;
  /** The rules' set-based UPDATEs, summed. */
  readonly sanitizeMs: number;
  readonly noOpMs: number;
  readonly rewriteMs: number;
  readonly rowByRowExtrapolatedMs: number;
  /**
   * Goal: at most 2. On SQLite `SET c = c` writes nothing: SQLite compares each new cell with
   * the old one and leaves identical pages clean, so this baseline is a scan, not a rewrite.
   */
  readonly sanitizeToNoOp: number;
  /** Against a rewrite that really changes every value (and so writes every page). */
  readonly sanitizeToRewrite: number;
  /** Goal: at least 50. */
  readonly rowByRowToSanitize: number;
  readonly rules: readonly SanitizeBenchRule[];
}

/**
 * Times the shipped rule set on a copy of `snapshotPath` (SQLite): each rule's set-based UPDATE,
 * a no-op rewrite of the same columns in the same per-rule transactions, and per-row UPDATEs by
 * rowid with the same masking on a slice of each table, extrapolated to the whole table.
 */
export async function benchmarkSanitize(snapshotPath: string, workDir: string): Promise<SanitizeBenchResult> {
  const copy = join(workDir, 'sanitize-bench.db');
  copyFileSync(snapshotPath, copy);
  const engine = SqliteEngine.open(copy);
  try {
    const ruleSet = loadRuleSet(RULES);
    const masker = createMasker(Buffer.from('benchmark secret, not a real one'), SAFE_DOMAIN);
    const noOpBefore = await timeEach(engine, ruleSet.rules, noOpUpdate);
    const setupStarted = performance.now();
    const masking = { ops: await prepareMasking(engine, masker), safeDomain: SAFE_DOMAIN };
    const setupMs = performance.now() - setupStarted;
    const masked = await timeEach(engine, ruleSet.rules, (rule) => updateFor(rule, masking));
    await dropFakeValueTables(engine);
    const noOpAfter = await timeEach(engine, ruleSet.rules, noOpUpdate);
    const rewrite = await timeEach(engine, ruleSet.rules, appendDotUpdate);
    const rules: SanitizeBenchRule[] = [];
    for (const [i, rule] of ruleSet.rules.entries()) {
      const sanitizeRun = masked[i] ?? { ms: 0, rows: 0 };
      const noOpMs = Math.min(noOpBefore[i]?.ms ?? 0, noOpAfter[i]?.ms ?? 0);
      const slice = await timeRowByRow(engine, rule, masker);
      rules.push({
        rule: rule.index + 1,
        table: rule.table,
        columns: rule.columns.map((c) => c.column),
        rows: sanitizeRun.rows,
        sanitizeMs: sanitizeRun.ms,
        rowsPerSecond: rowsPerSecond(sanitizeRun.rows, sanitizeRun.ms),
        noOpMs,
        rewriteMs: rewrite[i]?.ms ?? 0,
        rowByRowSliceRows: slice.rows,
        rowByRowSliceMs: slice.ms,
        rowByRowExtrapolatedMs: slice.rows === 0 ? 0 : (slice.ms * sanitizeRun.rows) / slice.rows,
      });
    }
    const sum = (pick: (r: SanitizeBenchRule) => number): number => rules.reduce((n, r) => n + pick(r), 0);
    const sanitizeMs = sum((r) => r.sanitizeMs);
    const noOpMs = sum((r) => r.noOpMs);
    const rewriteMs = sum((r) => r.rewriteMs);
    const rowByRowExtrapolatedMs = sum((r) => r.rowByRowExtrapolatedMs);
    return {
      engine: 'sqlite',
      rows: sum((r) => r.rows),
      setupMs,
      sanitizeMs,
      noOpMs,
      rewriteMs,
      rowByRowExtrapolatedMs,
      sanitizeToNoOp: sanitizeMs / noOpMs,
      sanitizeToRewrite: sanitizeMs / rewriteMs,
      rowByRowToSanitize: rowByRowExtrapolatedMs / sanitizeMs,
      rules,
    };
  } finally {
    await engine.close();
    rmSync(copy, { force: true });
  }
}

function noOpUpdate(rule: TableRule): Fragment {
  const assignments = rule.columns.map(({ column }) => sql`${ident(column)} = ${ident(column)}`);
  return sql`UPDATE ${ident(rule.table)} SET ${joinSql(assignments, ', ')}${whereClause(rule)}`;
}

function appendDotUpdate(rule: TableRule): Fragment {
  const assignments = rule.columns.map(({ column }) => sql`${ident(column)} = ${ident(column)} || '.'`);
  return sql`UPDATE ${ident(rule.table)} SET ${joinSql(assignments, ', ')}${whereClause(rule)}`;
}

async function timeEach(engine: SqliteEngine, rules: readonly TableRule[], statement: (rule: TableRule) => Fragment): Promise<{ ms: number; rows: number }[]> {
  const times: { ms: number; rows: number }[] = [];
  for (const rule of rules) {
    const started = performance.now();
    const { rowsAffected } = await engine.transaction((tx) => tx.exec(statement(rule)));
    times.push({ ms: performance.now() - started, rows: rowsAffected });
  }
  return times;
}

/** The per-row alternative: read a slice, mask each value in JavaScript, one UPDATE per row by rowid, one transaction. */
async function timeRowByRow(engine: SqliteEngine, rule: TableRule, masker: Masker): Promise<{ ms: number; rows: number }> {
  const columns = rule.columns.map((c) => ident(c.column));
  const select = sql`SELECT rowid AS ${ident('_rowid')}, ${joinSql(columns, ', ')} FROM ${ident(rule.table)}${whereClause(rule)} LIMIT ${ROW_BY_ROW_SLICE}`;
  const started = performance.now();
  const rows = await engine.query(select);
  await engine.transaction(async (tx) => {
    for (const row of rows) {
      const assignments = rule.columns.map(({ column, strategy }) => sql`${ident(column)} = ${masker.mask(strategy, row[column]) as SqlValue}`);
      await tx.exec(sql`UPDATE ${ident(rule.table)} SET ${joinSql(assignments, ', ')} WHERE rowid = ${row['_rowid'] ?? null}`);
    }
  });
  return { ms: performance.now() - started, rows: rows.length };
}
