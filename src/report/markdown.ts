import type { Report } from './model.js';
import { VERDICT_RULE } from './model.js';
import { formatDuration } from '../ui/progress.js';
import { probeTableMarkdown } from '../sandbox/probes.js';
import { ledgerMarkdown } from '../sinkholes/ledger-report.js';
import { firstDifference } from './first-difference.js';
import { releaseNoteExampleRows, releaseNoteRows } from '../release-notes/outcome.js';

const cell = (v: unknown): string => String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(rows: readonly Record<string, unknown>[]): string {
  const first = rows[0];
  if (first === undefined) return '';
  const headers = Object.keys(first);
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${headers.map((h) => cell(r[h])).join(' | ')} |`)].join('\n');
}

const STATUS_MARK: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', warning: '⚠️ warning', skipped: '⏭ skipped', 'to-confirm': '📝 to confirm' };

/** Failures first: the reader should see what blocks the release before anything else. */
export function renderMarkdown(report: Report): string {
  const order = { failed: 0, warning: 1, 'to-confirm': 2, passed: 3, skipped: 4 } as const;
  const checks = [...report.checks].sort((a, b) => order[a.status] - order[b.status]);
  const out: string[] = [];
  out.push(`# Rehearsal ${report.plan.releaseCandidate.id} (${report.plan.releaseCandidate.version}): ${report.verdict}`);
  out.push('');
  out.push(`**Verdict: ${report.verdict}**: ${report.verdictReason}.`);
  out.push('');
  out.push(`Verdict rule: ${VERDICT_RULE}`);
  out.push('');
  const first = firstDifference(report.checks);
  if (first !== undefined) {
    out.push('First failing difference:', '', table([{ check: first.check, account: first.account, what: first.what, 'expected (production)': first.expected, 'actual (rehearsal)': first.actual }]), '');
  }
  out.push(`Run \`${report.runId}\`, plan \`${report.plan.file}\`, target ${report.plan.target}, release ${report.plan.release}${report.plan.faults.length > 0 ? ` with fault switches ${report.plan.faults.join(', ')}` : ''}. Started ${report.startedAt}, finished ${report.finishedAt}.`);
  out.push('');
  out.push('## Checks');
  out.push('');
  out.push(table(checks.map((c) => ({ status: STATUS_MARK[c.status], check: c.id, title: c.title, summary: c.summary }))));
  for (const c of checks.filter((x) => x.status === 'failed' || x.status === 'warning')) {
    out.push('');
    out.push(`### ${STATUS_MARK[c.status]}: ${c.id}`);
    out.push('');
    out.push(c.summary);
    if (c.affectedAccounts && c.affectedAccounts.length > 0) {
      out.push('');
      const more = (c.affectedCount ?? 0) > c.affectedAccounts.length ? ` and ${(c.affectedCount ?? 0) - c.affectedAccounts.length} more` : '';
      out.push(`Affected accounts (${c.affectedCount ?? c.affectedAccounts.length}): ${c.affectedAccounts.join(', ')}${more}`);
    }
    if (c.evidence && c.evidence.length > 0) {
      out.push('');
      out.push(table(c.evidence));
    }
    for (const section of c.sections ?? []) {
      out.push('', `${section.title}:`, '', table(section.rows));
    }
  }
  if (report.checklist.length > 0) {
    out.push('');
    out.push('## Critical functionality checklist');
    out.push('');
    out.push(table(report.checklist.map((i) => ({ status: STATUS_MARK[i.status], item: i.title, 'proved by': [...i.checks, ...(i.probes ?? []).map((p) => `${p.id} (${p.status})`)].join(', ') || 'manual', 'signed off by': i.signOff ?? '—' }))));
  }
  if (report.releaseNotes !== undefined && report.releaseNotes.length > 0) {
    out.push('', '## Release notes', '');
    out.push('Differences an item names (its accounts, fields or tables, and bounds) are explained, not failures; any other difference fails its check. An item whose expected difference never appeared is a warning: the feature may not be active.');
    out.push('', table(releaseNoteRows(report.releaseNotes)));
    const examples = releaseNoteExampleRows(report.releaseNotes);
    if (examples.length > 0) out.push('', 'Examples:', '', table(examples));
  }
  if (report.sanitize) {
    out.push('');
    out.push('## Sanitization');
    out.push('');
    out.push(table(report.sanitize.tables.map((t) => ({ table: t.table, columns: t.columns.join(', '), rows: t.rows, duration: formatDuration(t.durationMs), 'rows/s': t.rowsPerSecond }))));
    const proof = report.sanitize.proof;
    out.push('');
    out.push(`PII proof: ${proof.passed ? 'passed' : 'FAILED'}: scanned ${proof.columnsScanned} text columns in ${proof.rowsScanned.toLocaleString('en-US')} rows.`);
    if (proof.findings.length > 0) {
      out.push('');
      out.push(table(proof.findings.map((f) => ({ column: f.column, found: f.kind, count: f.count, allowed: f.allowedBecause ?? 'no' }))));
    }
    if (proof.unruledSensitiveColumns.length > 0) {
      out.push('');
      out.push(`Columns whose names suggest sensitive data but that no rule touches: ${proof.unruledSensitiveColumns.join(', ')}.`);
    }
  }
  if (report.egress) {
    out.push('');
    out.push('## What the release tried to send (egress ledger)');
    out.push('');
    out.push(ledgerMarkdown(report.egress.summary, report.egress.entries));
  }
  if (report.isolation) {
    out.push('');
    out.push('## Isolation proof');
    out.push('');
    const c = report.isolation.counts;
    out.push(`${report.isolation.probes.length} probes from inside the sandbox: ${c.sinkhole} landed in this run's sinkholes, ${c.unreachable} unreachable, ${c.leak} leaked.`);
    out.push('');
    out.push(probeTableMarkdown(report.isolation.probes));
  }
  out.push('');
  out.push('## Stages');
  out.push('');
  out.push(table(report.stages.map((s) => ({ stage: s.name, status: s.status, duration: formatDuration(s.durationMs), detail: s.detail ?? '' }))));
  out.push('');
  return out.join('\n');
}
