import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample, rehearse, readReport } from '../helpers/sample-fixture.js';
import type { Report } from '../../src/report/model.js';

const sample = makeSample();
t.teardown(() => sample.cleanup());

/** Each fault switch must give NO-GO, caught by the check a billing engineer would expect. */
const cases: { fault: string; check: string; account?: string; summary?: RegExp }[] = [
  { fault: 'yearly-next-bill-date-not-advanced', check: 'scenario.ACC-000001', account: 'ACC-000001', summary: /next bill date: expected \d{4}-\d\d-\d\d, got/ },
  { fault: 'yearly-next-bill-date-not-advanced', check: 'production-diff', summary: /next bill dates/ },
  { fault: 'discount-dropped', check: 'production-diff', account: 'ACC-000012', summary: /invoice total/ },
  { fault: 'pool-minutes-per-child', check: 'scenario.ACC-000002', account: 'ACC-000002', summary: /pool overage charge/ },
  { fault: 'pool-minutes-per-child', check: 'production-diff', account: 'ACC-000002' },
  { fault: 'rounding-half-down', check: 'production-diff', summary: /invoice total/ },
  { fault: 'event-log-error', check: 'event-log', summary: /\d+ error\(s\)/ },
  { fault: 'provisioning-failed', check: 'provisioning', account: 'ACC-000001', summary: /were not provisioned/ },
];

const runs = new Map<string, ReturnType<typeof rehearse>>();
function runWith(fault: string): ReturnType<typeof rehearse> {
  let run = runs.get(fault);
  if (run === undefined) {
    run = rehearse(['--json', 'all', sample.plan(fault, { faults: [fault] })]);
    runs.set(fault, run);
  }
  return run;
}

for (const c of cases) {
  t.test(`${c.fault} gives NO-GO through ${c.check}`, async (t) => {
    const run = runWith(c.fault);
    t.equal(run.status, 1, run.stderr);
    t.equal(run.json?.verdict, 'NO-GO');
    const report = readReport(run.json?.report ?? '');
    const check = report.checks.find((x) => x.id === c.check);
    t.equal(check?.status, 'failed', `${c.check} failed`);
    if (c.summary) t.match(check?.summary, c.summary);
    t.ok((check?.affectedAccounts ?? []).length > 0, 'the report names affected accounts');
    if (c.account) t.ok(check?.affectedAccounts?.includes(c.account), `${c.account} is named`);
    t.ok(report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
  });
}

/** The diff's grouping by cause points at what the fault broke: every differing account shares it. */
const causes: { fault: string; cause: string }[] = [
  { fault: 'yearly-next-bill-date-not-advanced', cause: 'holds a yearly package' },
  { fault: 'discount-dropped', cause: 'has a discount' },
  { fault: 'pool-minutes-per-child', cause: 'pool: pool owner' },
];

for (const c of causes) {
  t.test(`${c.fault}: production-diff groups every differing account under "${c.cause}"`, async (t) => {
    const run = runWith(c.fault);
    const report = JSON.parse(readFileSync(join(dirname(run.json?.report ?? '.'), 'report.json'), 'utf8')) as Report;
    const diff = report.checks.find((x) => x.id === 'production-diff');
    const group = diff?.sections?.find((s) => s.title.includes('cause'))?.rows.find((r) => r.cause === c.cause);
    t.ok(group, `a "${c.cause}" group`);
    t.equal(group?.['share of differing'], '100%', `${c.cause}: every differing account`);
  });
}
