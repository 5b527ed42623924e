import type { SqlProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { sameValue } from './expectations.js';
import { maskValue } from './mask.js';
import { readOnlyQuery } from './read-only-query.js';
import { fill } from './templates.js';

/** One SELECT against the billed copy (read-only-query.ts), judged by its rows. */
export async function runSqlProbe(probe: SqlProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const read = await readOnlyQuery(probe.query, ctx);
  if ('refused' in read) return { outcome: 'error', summary: `refused: ${read.refused}`, evidence: [] };
  const { rows } = read;
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
