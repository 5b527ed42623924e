import type { SqliteEngine } from '../engine/sqlite.js';
import { ident, sql } from '../sql/fragment.js';
import type { ConceptName } from './concepts.js';
import type { Profile } from './profile.js';
import type { LocatedQuery } from './types.js';
import escapeStringRegexp from 'escape-string-regexp';

/**
 * A profile query whose plan reads a whole table once for every row of another: its time grows
 * with the product of the two tables' sizes. Harmless on a small sample, it is what turned one
 * adapter query into 16 of verify's 28 s at 100k accounts (BENCHMARKS.md) and would have taken
 * about a hundred times longer at 1M.
 */
export interface QuadraticPlan {
  readonly concept: ConceptName;
  /** adapter.yaml:line:column of the scanned table in the query. */
  readonly at: string;
  /** The table read in full (its alias when the query's text does not name it). */
  readonly table: string;
  /** Its rows in the database the plan was made on; absent when it is not a table there. */
  readonly rows?: number;
  /** `correlated`: a subquery evaluated per outer row scans it; `nested`: a join's inner loop scans it. */
  readonly kind: 'correlated' | 'nested';
  /** The plan's lines from the outer loop to the scan, as SQLite wrote them. */
  readonly plan: readonly string[];
}

type PlanRow = {
  readonly id: number;
  readonly parent: number;
  readonly detail: string;
};

/**
 * Every quadratic plan among the adapter's SQLite queries, from `EXPLAIN QUERY PLAN` on `engine`
 * (nothing runs). Only SQLite's planner is asked: a SQL Server plan can differ, and is not checked.
 */
export async function findQuadraticPlans(engine: SqliteEngine, profile: Profile, parameters: Readonly<Record<string, string>>): Promise<QuadraticPlan[]> {
  const found: QuadraticPlan[] = [];
  const tables = new Set((await engine.tables()).map((t) => t.name));
  const rowCounts = new Map<string, number>();
  const rowsOf = async (table: string): Promise<number | undefined> => {
    if (!tables.has(table)) return undefined;
    if (!rowCounts.has(table)) rowCounts.set(table, Number((await engine.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${ident(table)}`))[0]?.n ?? 0));
    return rowCounts.get(table);
  };
  for (const query of profile.adapter.queries) {
    if (query.dialect === 'tsql') continue;
    const plan = await engine.query<PlanRow>(sql`EXPLAIN QUERY PLAN ${query.template.bind(parameters)}`);
    for (const scan of quadraticScans(plan)) {
      const alias = /^SCAN (\S+)/.exec(scan.row.detail)?.[1] ?? '';
      const named = tableOfAlias(query, alias);
      const rows = await rowsOf(named.table);
      const position = query.locate(named.offset);
      found.push({
        concept: query.concept,
        at: `${query.file}:${position.line}:${position.column}`,
        table: named.table,
        ...(rows !== undefined ? { rows } : {}),
        kind: scan.kind,
        plan: scan.path.map((r) => r.detail),
      });
    }
  }
  return found;
}

/**
 * Full scans that run once per row of something else: under a correlated subquery, or after
 * another loop of the same SELECT (SQLite lists a SELECT's loops outermost first).
 */
function quadraticScans(plan: readonly PlanRow[]): { row: PlanRow; kind: QuadraticPlan['kind']; path: PlanRow[] }[] {
  const byId = new Map(plan.map((r) => [r.id, r]));
  const isLoop = (r: PlanRow): boolean => /^(SCAN|SEARCH) /.test(r.detail) && !r.detail.startsWith('SCAN CONSTANT ROW');
  const scans: { row: PlanRow; kind: QuadraticPlan['kind']; path: PlanRow[] }[] = [];
  for (const row of plan) {
    if (!isLoop(row) || !row.detail.startsWith('SCAN ')) continue;
    const ancestors: PlanRow[] = [];
    for (let up = byId.get(row.parent); up !== undefined; up = byId.get(up.parent)) ancestors.unshift(up);
    const outer = plan.find((r) => r.parent === row.parent && r.id < row.id && isLoop(r));
    if (ancestors.some((a) => a.detail.startsWith('CORRELATED '))) scans.push({ row, kind: 'correlated', path: [...ancestors, row] });
    else if (outer !== undefined) scans.push({ row, kind: 'nested', path: [...ancestors, outer, row] });
  }
  return scans;
}

/** The table an alias stands for (`FROM event_log e`, `JOIN [User] AS [u]`) and where it is named; else the alias itself. */
function tableOfAlias(query: LocatedQuery, alias: string): { table: string; offset: number } {
  const text = query.template.text;
  const name = escapeStringRegexp(alias);
  const end = '(?=[\\s,)]|$)';
  const aliased = new RegExp(`\\b(?:FROM|JOIN)\\s+\\[?(\\w+)\\]?\\s+(?:AS\\s+)?\\[?${name}\\]?${end}`, 'i').exec(text);
  if (aliased !== null) return { table: aliased[1] ?? alias, offset: aliased.index + aliased[0].indexOf(aliased[1] ?? '', 4) };
  const bare = new RegExp(`\\b(?:FROM|JOIN)\\s+\\[?${name}\\]?${end}`, 'i').exec(text);
  if (bare !== null) return { table: alias, offset: bare.index + bare[0].indexOf(alias, 4) };
  return { table: alias, offset: 0 };
}

/** One paragraph for `rehearse adapter check`: what was found, why it matters, what to do. */
export function describeQuadraticPlan(found: QuadraticPlan): string {
  const size = found.rows !== undefined ? ` (${found.rows.toLocaleString('en-US')} row${found.rows === 1 ? '' : 's'} here)` : '';
  const how = found.kind === 'correlated' ? 'a correlated subquery reads all of' : "a join's inner loop reads all of";
  return (
    `${found.at}: concept \`${found.concept}\`: ${how} \`${found.table}\`${size} once for every row of the outer query ` +
    `(plan: ${found.plan.join(' → ')}), so its time grows with the product of the two tables' sizes. ` +
    'Rewrite it as one uncorrelated IN or a join on an indexed column, or index the column it looks up by.'
  );
}
