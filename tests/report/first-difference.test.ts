import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideVerdict, REPORT_SCHEMA_VERSION, type Report, type StageRecord } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { firstDifference } from '../../src/report/first-difference.js';
import type { CheckResult } from '../../src/checks/types.js';

const stages: StageRecord[] = [{ name: 'verify', status: 'passed', durationMs: 5 }];
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** A NO-GO with many failures: the list of blocking checks alone is longer than a screen. */
function noGoReport(): Report {
  const checks: CheckResult[] = [
    { id: 'bill-run-completed', title: 'completed', status: 'passed', summary: 'completed', evidence: [{ expected: 'completed', actual: 'completed', ok: true }] },
    {
      id: 'production-diff',
      title: 'Every account billed the same as production',
      status: 'failed',
      summary: '2 of 2000 accounts differ from production',
      affectedAccounts: ['ACC-000044', 'ACC-001023'],
      evidence: [{ account: 'ACC-000044', field: 'invoice total', production: '$12.00', rehearsal: `$10.80 ${HOSTILE}` }],
    },
    ...Array.from({ length: 40 }, (_, i): CheckResult => ({ id: `account.ACC-${String(i).padStart(6, '0')}`, title: 'a picked account', status: 'failed', summary: 'x '.repeat(80), evidence: [{ expectation: 'total', expected: '1', actual: '2', ok: false }] })),
  ];
  const { verdict, reason } = decideVerdict(stages, checks, []);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: 'run-1',
    plan: { file: 'plan.yaml', releaseCandidate: { id: 'rc-1', version: '1.0' }, target: 'local', release: 'candidate', faults: [] },
    verdict,
    verdictReason: reason,
    startedAt: '2026-11-01T00:00:00.000Z',
    finishedAt: '2026-11-01T00:01:00.000Z',
    stages,
    checks,
    checklist: [],
  };
}

t.test('the first failed check in run order with a row showing both sides, with its account', async (t) => {
  t.same(firstDifference(noGoReport().checks), { check: 'production-diff', account: 'ACC-000044', what: 'invoice total', expected: '$12.00', actual: `$10.80 ${HOSTILE}` });
  const state: CheckResult = {
    id: 'state-differential', title: 'tables', status: 'failed', summary: '3 rows differ',
    affectedAccounts: ['ACC-000007'],
    evidence: [{ table: 'usage_records', difference: 'rated', rows: 3, 'example account': 'ACC-000007', rehearsal: '0', production: '1' }],
  };
  t.same(firstDifference([state]), { check: 'state-differential', account: 'ACC-000007', what: 'usage_records.rated', expected: '1', actual: '0' });
  const outbound: CheckResult = {
    id: 'outbound-mail', title: 'mail', status: 'failed', summary: '1 account(s) differ',
    evidence: [{ mails: 3 }],
    sections: [{ title: 'First differences', rows: [{ account: 'ACC-000009', difference: 'recipient differs', production: 'to a@rehearsal.invalid', rehearsal: 'to b@rehearsal.invalid' }] }],
  };
  t.same(firstDifference([outbound]), { check: 'outbound-mail', account: 'ACC-000009', what: 'recipient differs', expected: 'to a@rehearsal.invalid', actual: 'to b@rehearsal.invalid' }, 'rows under sections count too');
  const bare: CheckResult = { id: 'role-permissions', title: 'roles', status: 'failed', summary: 'ReadOnly gained Settings.Edit' };
  t.same(firstDifference([bare]), { check: 'role-permissions', account: '—', what: 'ReadOnly gained Settings.Edit', expected: '—', actual: '—' }, 'a failure without both sides still shows, by its summary');
  t.equal(firstDifference([{ ...bare, status: 'passed' }]), undefined, 'a GO report has none');
});

t.test('the HTML puts the first difference right under the verdict, before every table, escaped', async (t) => {
  const html = renderHtml(noGoReport());
  const at = html.indexOf('id="first-difference"');
  t.ok(at > html.indexOf('id="verdict"') && at < html.indexOf('id="failures"') && at < html.indexOf('<table'), 'after the banner, before the failures list and every table');
  const section = html.slice(at, html.indexOf('</section>', at));
  t.match(section, /production-diff/);
  t.match(section, /ACC-000044/);
  t.match(section, /invoice total/);
  t.match(section, /<dd class="expected">\$12\.00<\/dd>/);
  t.match(section, /<dd class="actual">\$10\.80 &lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;<\/dd>/);
  t.notMatch(html, /<script>alert|<img src=x/, 'nothing from the data reaches the page as markup');
  t.equal((html.match(/<script>/g) ?? []).length, 1, "only the page's own inline script");
  t.match(renderMarkdown(noGoReport()), /First failing difference:\n\n\| check \| account \| what \| expected \(production\) \| actual \(rehearsal\) \|\n\| --- .*\n\| production-diff \| ACC-000044 \| invoice total \| \$12\.00 \|/, 'the Markdown report leads with it too');
});

t.test('a GO report has no first-difference box', async (t) => {
  const report = { ...noGoReport(), checks: [{ id: 'x', title: 'x', status: 'passed' as const, summary: 'fine' }], verdict: 'GO' as const };
  t.notMatch(renderHtml(report), /id="first-difference"/);
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

t.test('in headless Chromium at 1280×800 the first difference is on screen without scrolling', { skip: CHROMIUM === undefined ? 'chromium is not installed' : false }, async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'report.html');
  writeFileSync(file, renderHtml(noGoReport()));
  const profile = join(dir, 'profile');
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,800', '--run-all-compositor-stages-before-draw', '--dump-dom'];
  const dom = spawnSync(CHROMIUM ?? 'chromium', [...flags, `file://${file}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  t.equal(dom.status, 0, dom.stderr.slice(-2000));
  const tag = /<section[^>]*id="first-difference"[^>]*>/.exec(dom.stdout)?.[0] ?? '';
  t.match(tag, /data-above-fold="true"/, tag);
  const last = /<li[^>]*data-failure="account\.ACC-000039"[^>]*>/.exec(dom.stdout)?.[0] ?? '';
  t.match(last, /data-above-fold="false"/, 'while the fortieth listed failure is below the fold: the page is long');
});
