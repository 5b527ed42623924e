import t from 'tap';
import { checklistStatus, decideVerdict, REPORT_SCHEMA_VERSION, type Report, type StageRecord } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { CheckResult } from '../../src/checks/types.js';

const stages: StageRecord[] = [{ name: 'verify', status: 'passed', durationMs: 5 }];
const passed: CheckResult = { id: 'production-diff', title: 'same as production', status: 'passed', summary: 'all match' };
const failed: CheckResult = { id: 'payments', title: 'payments', status: 'failed', summary: 'no approved payment reached stripe' };
const automated = { id: 'charges', title: 'Charges match', checks: ['production-diff'] };
const manual = { id: 'invoice-layout', title: 'Invoice PDF layout', checks: [], signOff: 'Jane Doe (billing ops)' };

t.test('the verdict rule: failed check → NO-GO, manual items → GO pending sign-off, else GO', async (t) => {
  t.equal(decideVerdict(stages, [passed], checklistStatus([automated], [passed])).verdict, 'GO');
  const pending = decideVerdict(stages, [passed], checklistStatus([automated, manual], [passed]));
  t.equal(pending.verdict, 'GO-PENDING-SIGN-OFF');
  t.match(pending.reason, /invoice-layout \(Jane Doe \(billing ops\)\)/, 'names the item and who signs it');
  t.equal(decideVerdict(stages, [passed, failed], checklistStatus([manual], [passed, failed])).verdict, 'NO-GO', 'a failure beats pending sign-off');
  t.equal(decideVerdict([{ name: 'prove', status: 'failed', durationMs: 1 }], [passed]).verdict, 'NO-GO');
  t.equal(decideVerdict(stages, []).verdict, 'NO-GO', 'nothing verified is not GO');
  const missing = checklistStatus([{ id: 'x', title: 'x', checks: ['no-such-check'] }], [passed]);
  t.equal(missing[0]?.status, 'failed');
  t.equal(decideVerdict(stages, [passed], missing).verdict, 'NO-GO', 'a checklist item whose check never ran fails closed');
});

t.test('manual checklist items show "to confirm", never "passed"', async (t) => {
  const [item] = checklistStatus([manual], [passed]);
  t.equal(item?.status, 'to-confirm');
  const report = makeReport([passed], checklistStatus([automated, manual], [passed]));
  t.match(renderMarkdown(report), /📝 to confirm \| Invoice PDF layout \| manual \| Jane Doe/);
  t.match(renderHtml(report), /<td>to confirm<\/td><td>Invoice PDF layout<\/td><td>manual<\/td>/);
});

t.test('the HTML escapes every value and lists failures before the checks table', async (t) => {
  const hostile: CheckResult = { ...failed, summary: '<script>alert(1)</script> & "quotes"', evidence: [{ account: '<img src=x onerror=alert(1)>', amount: 3 }] };
  const html = renderHtml(makeReport([passed, hostile], []));
  t.notMatch(html, /<script>alert|<img src=x/);
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  t.ok(html.indexOf('data-failure="payments"') < html.indexOf('<h2>Checks</h2>'));
  t.match(html, /<td data-sort="3">3<\/td>/, 'numbers sort as numbers');
  t.equal((html.match(/<script>/g) ?? []).length, 1, 'only the page\'s own inline script');
});

function makeReport(checks: CheckResult[], checklist: Report['checklist']): Report {
  const { verdict, reason } = decideVerdict(stages, checks, checklist);
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
    checklist,
  };
}
