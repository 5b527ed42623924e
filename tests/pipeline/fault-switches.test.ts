import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample } from '../helpers/sample-fixture.js';
import { faultGivesNoGo, faultRuns } from '../helpers/fault-cases.js';
import type { Report } from '../../src/report/model.js';

// Dates, discounts and pools; rounding, the event log and provisioning are in fault-switches-other.
const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());
const runWith = faultRuns(sample);

faultGivesNoGo(t, runWith, [
  { fault: 'yearly-next-bill-date-not-advanced', check: 'scenario.ACC-000001', account: 'ACC-000001', summary: /next bill date: expected \d{4}-\d\d-\d\d, got/ },
  { fault: 'yearly-next-bill-date-not-advanced', check: 'production-diff', summary: /next bill dates/ },
  { fault: 'discount-dropped', check: 'production-diff', account: 'ACC-000012', summary: /invoice total/ },
  { fault: 'pool-minutes-per-child', check: 'scenario.ACC-000002', account: 'ACC-000002', summary: /pool overage charge/ },
  { fault: 'pool-minutes-per-child', check: 'production-diff', account: 'ACC-000002' },
]);

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
