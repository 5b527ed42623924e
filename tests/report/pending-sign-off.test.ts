import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import type { Report } from '../../src/report/model.js';

const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

t.test('a clean rehearsal with a manual checklist item is GO-PENDING-SIGN-OFF, exit 0, item "to confirm"', async (t) => {
  const plan = sample.plan('manual-item');
  const manualItem = '  - id: invoice-pdf-layout\n    title: The new invoice layout is approved by billing operations\n    signOff: Jane Doe (billing operations)\n';
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(/^checklist:\n/m, `checklist:\n${manualItem}`));
  const run = rehearse(['--json', 'all', plan]);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.json?.verdict, 'GO-PENDING-SIGN-OFF');
  const report = JSON.parse(readFileSync(join(dirname(run.json?.report ?? '.'), 'report.json'), 'utf8')) as Report;
  t.same(report.checklist.find((i) => i.id === 'invoice-pdf-layout')?.status, 'to-confirm');
  t.match(report.verdictReason, /invoice-pdf-layout \(Jane Doe \(billing operations\)\)/);
  t.ok(report.checklist.filter((i) => i.id !== 'invoice-pdf-layout').every((i) => i.status === 'passed'), 'the automated items passed');
  const md = readFileSync(run.json?.report ?? '', 'utf8');
  t.match(md, /\*\*Verdict: GO-PENDING-SIGN-OFF\*\*/);
  t.match(readFileSync(join(dirname(run.json?.report ?? '.'), 'report.junit.xml'), 'utf8'), /<testcase classname="rehearsal\.checklist" name="invoice-pdf-layout"[^>]*>\s*<skipped\/>/);
});
