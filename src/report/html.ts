import escapeHtml from 'escape-html';
import type { CheckResult } from '../checks/types.js';
import type { Report, Verdict } from './model.js';
import { VERDICT_RULE } from './model.js';
import { formatDuration } from '../ui/progress.js';
import { firstDifference } from './first-difference.js';
import { releaseNoteExampleRows, releaseNoteRows } from '../release-notes/outcome.js';

type Cell = string | number | boolean | null | undefined;

const STATUS_ORDER = { failed: 0, warning: 1, 'to-confirm': 2, passed: 3, skipped: 4 } as const;
const STATUS_LABEL: Record<string, string> = { passed: 'passed', failed: 'FAILED', warning: 'warning', skipped: 'skipped', 'to-confirm': 'to confirm' };
const VERDICT_CLASS: Record<Verdict, string> = { GO: 'go', 'GO-PENDING-SIGN-OFF': 'pending', 'NO-GO': 'nogo' };

const esc = (value: Cell): string => escapeHtml(value === null || value === undefined ? '' : String(value));

/** Numbers sort as numbers; everything else as text (the script reads data-sort). */
function td(value: Cell): string {
  const sortKey = typeof value === 'number' ? ` data-sort="${value}"` : '';
  return `<td${sortKey}>${esc(value)}</td>`;
}

function table(rows: readonly Record<string, Cell>[], caption?: string): string {
  const first = rows[0];
  if (first === undefined) return '';
  const headers = Object.keys(first);
  return [
    '<table class="sortable">',
    caption !== undefined ? `<caption>${esc(caption)}</caption>` : '',
    `<thead><tr>${headers.map((h) => `<th scope="col" tabindex="0">${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${headers.map((h) => td(r[h])).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

const badge = (status: string): string => `<span class="badge ${esc(status)}">${esc(STATUS_LABEL[status] ?? status)}</span>`;

function checkDetails(c: CheckResult): string {
  const parts = [`<section class="check ${esc(c.status)}" id="check-${esc(c.id)}" data-check-id="${esc(c.id)}" data-check-status="${esc(c.status)}">`];
  parts.push(`<h3>${badge(c.status)} ${esc(c.id)}: ${esc(c.title)}</h3>`, `<p>${esc(c.summary)}</p>`);
  if (c.affectedAccounts !== undefined && c.affectedAccounts.length > 0) {
    const count = c.affectedCount ?? c.affectedAccounts.length;
    const more = count > c.affectedAccounts.length ? ` and ${count - c.affectedAccounts.length} more` : '';
    parts.push(`<p class="accounts">Affected accounts (${esc(count)}): ${esc(c.affectedAccounts.join(', '))}${esc(more)}</p>`);
  }
  if (c.evidence !== undefined && c.evidence.length > 0) parts.push(table(c.evidence, 'Evidence'));
  for (const section of c.sections ?? []) parts.push(table(section.rows, section.title));
  parts.push('</section>');
  return parts.join('');
}

const STYLE = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:1220px;margin:0 auto;padding:0 20px 40px}
.banner{padding:14px 20px;color:#fff}
.banner h1{margin:0;font-size:26px}.banner p{margin:4px 0 0}
.banner.go{background:#1a7f37}.banner.pending{background:#9a6700}.banner.nogo{background:#cf222e}
.rule{font-size:13px;opacity:.92}
h2{margin:22px 0 8px;font-size:19px}h3{margin:0 0 6px;font-size:16px}
.failures{list-style:none;padding:0;margin:10px 0}
.failures li{background:#fff;border-left:6px solid #cf222e;margin:0 0 6px;padding:6px 10px}
.failures li.warning{border-color:#bf8700}
.check{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin:0 0 12px}
.check.failed{border-left:6px solid #cf222e}.check.warning{border-left:6px solid #bf8700}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:#57606a}
.badge.failed{background:#cf222e}.badge.passed{background:#1a7f37}.badge.warning{background:#bf8700}.badge.to-confirm{background:#8250df}
table{border-collapse:collapse;margin:8px 0;background:#fff;font-size:13px;max-width:100%}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td:first-child{white-space:nowrap}
th{background:#eef1f4;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
.accounts{font-family:ui-monospace,monospace;font-size:12px}
.meta{color:#57606a;font-size:13px}
#first-difference{background:#fff;border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:6px;margin:12px 0;padding:6px 14px}
#first-difference h2{margin:4px 0;font-size:17px}
#first-difference dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0}
#first-difference dt{color:#57606a}#first-difference dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
`;

/** Sortable tables: a click (or Enter) on a header sorts by that column, again to reverse. Also marks which checks are on screen without scrolling. */
const SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th,col){
    function sort(){
      var asc=th.getAttribute('aria-sort')!=='ascending';
      table.querySelectorAll('th').forEach(function(o){o.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var body=table.tBodies[0];
      var rows=Array.prototype.slice.call(body.rows);
      function key(r){var c=r.cells[col];if(!c)return '';var n=c.getAttribute('data-sort');return n!==null?Number(n):c.textContent;}
      rows.sort(function(a,b){var x=key(a),y=key(b);var d=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y),undefined,{numeric:true});return asc?d:-d;});
      rows.forEach(function(r){body.appendChild(r)});
    }
    th.addEventListener('click',sort);
    th.addEventListener('keydown',function(e){if(e.key==='Enter')sort()});
  });
});
function markAboveFold(){
  var fold=window.innerHeight;
  document.querySelectorAll('[data-failure]').forEach(function(el){
    var box=el.getBoundingClientRect();
    el.setAttribute('data-above-fold',String(box.height>0&&box.top>=0&&box.bottom<=fold));
  });
  document.body.setAttribute('data-viewport-height',String(fold));
}
markAboveFold();
window.addEventListener('resize',markAboveFold);
`;

/**
 * One self-contained page a release manager can open anywhere: no external assets, every value
 * escaped, the verdict first, then the first failing difference and what failed, then everything else.
 */
export function renderHtml(report: Report): string {
  const checks = [...report.checks].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.id.localeCompare(b.id));
  const blocking = checks.filter((c) => c.status === 'failed' || c.status === 'warning');
  const failedStages = report.stages.filter((s) => s.status === 'failed');
  const pendingItems = report.checklist.filter((i) => i.status === 'to-confirm');
  const rc = report.plan.releaseCandidate;
  const body: string[] = [];
  body.push(`<header class="banner ${VERDICT_CLASS[report.verdict]}" id="verdict" data-verdict="${esc(report.verdict)}">`);
  body.push(`<h1>Verdict: ${esc(report.verdict)} · ${esc(rc.id)} (${esc(rc.version)})</h1>`);
  body.push(`<p>${esc(report.verdictReason)}</p>`, `<p class="rule">Verdict rule: ${esc(VERDICT_RULE)}</p></header>`);
  body.push('<main>');
  const first = firstDifference(report.checks);
  if (first !== undefined) {
    body.push(
      `<section id="first-difference" data-failure="first-difference" data-check="${esc(first.check)}"><h2>First failing difference</h2><dl>` +
        `<dt>check</dt><dd><a href="#check-${esc(first.check)}">${esc(first.check)}</a></dd><dt>account</dt><dd>${esc(first.account)}</dd><dt>what</dt><dd>${esc(first.what)}</dd>` +
        `<dt>expected (production)</dt><dd class="expected">${esc(first.expected)}</dd><dt>actual (rehearsal)</dt><dd class="actual">${esc(first.actual)}</dd></dl></section>`,
    );
  }
  if (failedStages.length > 0 || blocking.length > 0 || pendingItems.length > 0) {
    body.push('<section id="failures"><h2>What blocks or needs attention</h2><ul class="failures">');
    for (const s of failedStages) body.push(`<li data-failure="stage.${esc(s.name)}"><strong>stage ${esc(s.name)} FAILED</strong>: ${esc(s.detail ?? '')}</li>`);
    for (const c of blocking) {
      body.push(`<li class="${esc(c.status)}" data-failure="${esc(c.id)}" data-status="${esc(c.status)}">${badge(c.status)} <a href="#check-${esc(c.id)}"><strong>${esc(c.id)}</strong></a>: ${esc(c.summary)}</li>`);
    }
    for (const i of pendingItems) body.push(`<li class="warning" data-status="to-confirm">${badge('to-confirm')} checklist <strong>${esc(i.title)}</strong>: sign-off by ${esc(i.signOff ?? 'not named')}</li>`);
    body.push('</ul></section>');
  }
  body.push(`<p class="meta">Run ${esc(report.runId)} · plan ${esc(report.plan.file)} · target ${esc(report.plan.target)} · release ${esc(report.plan.release)}${report.plan.faults.length > 0 ? ` with fault switches ${esc(report.plan.faults.join(', '))}` : ''} · ${esc(report.startedAt)} to ${esc(report.finishedAt)} · report schema ${esc(report.schemaVersion)}</p>`);
  body.push('<h2>Checks</h2>');
  body.push(table(checks.map((c) => ({ status: STATUS_LABEL[c.status], check: c.id, title: c.title, summary: c.summary }))));
  if (report.checklist.length > 0) {
    body.push('<h2>Critical functionality checklist</h2>');
    body.push(table(report.checklist.map((i) => ({ status: STATUS_LABEL[i.status], item: i.title, 'proved by': [...i.checks, ...(i.probes ?? []).map((p) => `${p.id} (${p.status})`)].join(', ') || 'manual', 'signed off by': i.signOff ?? '—' }))));
  }
  if (report.releaseNotes !== undefined && report.releaseNotes.length > 0) {
    body.push('<section id="release-notes"><h2>Release notes</h2>');
    body.push('<p>Differences an item names (its accounts, fields or tables, and bounds) are explained, not failures; any other difference fails its check. An item whose expected difference never appeared is a warning: the feature may not be active.</p>');
    body.push(table(releaseNoteRows(report.releaseNotes)), table(releaseNoteExampleRows(report.releaseNotes), 'Examples'), '</section>');
  }
  body.push('<h2>Check details</h2>');
  for (const c of checks) body.push(checkDetails(c));
  if (report.sanitize !== undefined) {
    const proof = report.sanitize.proof;
    body.push('<h2>Sanitization</h2>');
    body.push(`<p>PII proof ${proof.passed ? 'passed' : 'FAILED'}: scanned ${esc(proof.columnsScanned)} text columns in ${esc(proof.rowsScanned.toLocaleString('en-US'))} rows.</p>`);
    body.push(table(report.sanitize.tables.map((t) => ({ table: t.table, columns: t.columns.join(', '), rows: t.rows, duration: formatDuration(t.durationMs), 'rows/s': t.rowsPerSecond }))));
    body.push(table(proof.findings.map((f) => ({ column: f.column, found: f.kind, count: f.count, allowed: f.allowedBecause ?? 'no' })), 'Findings'));
  }
  if (report.egress !== undefined) {
    body.push('<h2>What the release tried to send (egress ledger)</h2>');
    const summary = report.egress.summary;
    body.push(`<p>${esc(summary.total)} attempt(s): ${esc(Object.entries(summary.byKind).map(([kind, n]) => `${n} ${kind}`).join(', '))}.</p>`);
    body.push(table(summary.byDestination.map((d) => ({ kind: d.kind, destination: d.destination, attempts: d.count }))));
  }
  if (report.isolation !== undefined) {
    const c = report.isolation.counts;
    body.push('<h2>Isolation proof</h2>');
    body.push(`<p>${esc(report.isolation.probes.length)} probes from inside the sandbox: ${esc(c.sinkhole)} landed in this run's sinkholes, ${esc(c.unreachable)} unreachable, ${esc(c.leak)} leaked.</p>`);
  }
  body.push('<h2>Stages</h2>');
  body.push(table(report.stages.map((s) => ({ stage: s.name, status: s.status, 'duration ms': Math.round(s.durationMs), detail: s.detail ?? '' }))));
  body.push('</main>');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.verdict)}: rehearsal ${esc(rc.id)}</title>
<style>${STYLE}</style></head>
<body>${body.join('\n')}
<script>${SCRIPT}</script>
</body></html>
`;
}
