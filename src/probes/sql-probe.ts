import { SqliteEngine } from '../engine/sqlite.js';
import type { Row } from '../engine/types.js';
import { QueryTemplate } from '../platform/query-template.js';
import type { SqlProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { sameValue } from './expectations.js';
import { maskValue } from './mask.js';
import { selectOnlyProblem } from './select-only.js';
import { fill } from './templates.js';

/** Thrown inside the SQL Server transaction so it always rolls back, whatever the query did. */
class RollBack extends Error {}

/**
 * One SELECT against the billed copy through the engine, read-only on both engines: refused
 * unless it is a single SELECT (checked again here, not only at load); on SQLite run on a
 * connection opened read-only and only if SQLite itself says the statement only reads; on SQL
 * Server inside a transaction that is always rolled back.
 */
export async function runSqlProbe(probe: SqlProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const problem = selectOnlyProblem(probe.query);
  if (problem !== undefined) return { outcome: 'error', summary: `refused: ${problem.detail}`, evidence: [] };
  const statement = new QueryTemplate(probe.query).bind({ billDate: ctx.variables.billDate ?? '', account: ctx.variables.account ?? '' });
  let rows: Row[];
  if (ctx.databasePath !== undefined) {
    const readOnly = SqliteEngine.open(ctx.databasePath, { readonly: true });
    try {
      if (!readOnly.connection.prepare(readOnly.dialect.render(statement).text).readonly) return { outcome: 'error', summary: 'refused: SQLite says this statement would write', evidence: [] };
      rows = await readOnly.query(statement);
    } finally {
      await readOnly.close();
    }
  } else {
    let read: Row[] = [];
    await ctx.engine
      .transaction(async (tx) => {
        read = await tx.query(statement);
        throw new RollBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RollBack)) throw error;
      });
    rows = read;
  }
  const results: { expected: string; actual: string; met: boolean }[] = [];
  const { expect } = probe;
  if (expect.rows !== undefined) results.push({ expected: `${expect.rows} row(s)`, actual: `${rows.length} row(s)`, met: rows.length === expect.rows });
  if (expect.minRows !== undefined) results.push({ expected: `at least ${expect.minRows} row(s)`, actual: `${rows.length} row(s)`, met: rows.length >= expect.minRows });
  for (const [column, wanted] of Object.entries(expect.values ?? {})) {
    const expected = typeof wanted === 'string' ? fill(wanted, ctx.variables) : wanted;
    const first = rows[0];
    const actual = first === undefined ? undefined : first[column];
    results.push({ expected: `${column} = ${JSON.stringify(maskValue(expected))}`, actual: first === undefined ? 'no row' : !(column in first) ? 'no such column' : JSON.stringify(maskValue(typeof actual === 'bigint' ? Number(actual) : actual)), met: first !== undefined && column in first && sameValue(typeof actual === 'bigint' ? Number(actual) : actual, expected) });
  }
  const unmet = results.filter((r) => !r.met);
  const sample = rows.slice(0, 3).map((r) => ({ row: JSON.stringify(maskValue(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : Buffer.isBuffer(v) ? `${v.length} bytes` : v])))) }));
  return {
    outcome: unmet.length === 0 ? 'passed' : 'failed',
    summary: unmet.length === 0 ? `${rows.length} row(s), ${results.length} expectation(s) met` : unmet.map((r) => `expected ${r.expected}, got ${r.actual}`).join('; '),
    evidence: [...results, ...sample],
  };
}
