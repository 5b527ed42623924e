import type { MutantOutcome } from './outcome.js';

const MARK: Record<MutantOutcome['status'], string> = { caught: 'caught', escaped: 'ESCAPED (GO)', 'wrong-reason': 'WRONG REASON' };

function cells(o: MutantOutcome): string[] {
  const others = o.failedChecks.filter((id) => !o.mutant.caughtBy.includes(id));
  const why = [
    ...(o.missed.length > 0 ? [`did not fail: ${o.missed.join(', ')}`] : []),
    ...(o.failedStages.length > 0 ? [`stage failed: ${o.failedStages.join(', ')}`] : []),
    ...(others.length > 0 ? [`also failed: ${others.join(', ')}`] : []),
  ];
  return [o.mutant.switch, o.mutant.area, o.mutant.caughtBy.join(', '), o.verdict, MARK[o.status], why.join('; '), o.seconds.toFixed(0)];
}

const HEADER = ['switch', 'area', 'must fail', 'verdict', 'outcome', 'notes', 's'];

/** A plain table for the terminal, columns padded to their widest cell. */
export function textTable(outcomes: readonly MutantOutcome[]): string {
  const rows = [HEADER, ...outcomes.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function markdownTable(outcomes: readonly MutantOutcome[]): string {
  const escape = (s: string): string => s.replaceAll('|', '\\|');
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...outcomes.map((o) => `| ${cells(o).map(escape).join(' | ')} |`)].join('\n');
}

export function tally(outcomes: readonly MutantOutcome[]): string {
  const n = (status: MutantOutcome['status']): number => outcomes.filter((o) => o.status === status).length;
  return `${n('caught')} of ${outcomes.length} caught through the expected checks, ${n('escaped')} escaped with GO, ${n('wrong-reason')} NO-GO for another reason`;
}
