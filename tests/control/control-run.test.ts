import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { makeSample, readReport, rehearse } from '../helpers/sample-fixture.js';

/**
 * Two whole rehearsals with a control run on one small sample: the production release billed a
 * second copy in the same sandbox. Without an environment difference there is no noise; with a
 * payment sinkhole that declines every card, the noise is named and the release's effect is still
 * nil, since the candidate met the same sinkhole.
 */
const sample = makeSample(300, 11);
t.teardown(() => sample.cleanup());

function planWith(name: string, egressExtra = ''): string {
  const plan = sample.plan(name);
  const text = readFileSync(plan, 'utf8')
    .replace('verify:\n  tolerance: 0.00', 'verify:\n  control: production-release\n  tolerance: 0.00')
    .replace('egress:\n  policy: deny-all', `egress:\n  policy: deny-all${egressExtra}`);
  writeFileSync(plan, text);
  return plan;
}

type Check = { id: string; status: string; summary: string; evidence?: { table: string; difference: string }[] };

t.test('a control run on the sample: the release has no effect beyond production\'s release, and the environment no noise', async (t) => {
  const run = rehearse(['--json', 'all', planWith('control')]);
  t.equal(run.json?.verdict, 'GO', run.stderr);
  const report = readReport(run.json?.report ?? '');
  const checks = report.checks as Check[];
  const effect = checks.find((c) => c.id === 'control.release-effect');
  const noise = checks.find((c) => c.id === 'control.environment-noise');
  t.equal(effect?.status, 'passed', effect?.summary ?? '');
  t.equal(noise?.status, 'passed', noise?.summary ?? '');
  t.match(noise?.summary, /^zero noise beyond the threshold \(0 row\(s\), threshold 0\)/);
  t.match(report.stages.find((s) => s.name === 'bill-run'), { status: 'passed' });
  // What each release sent, request by request: the same, and something was compared.
  for (const id of ['control.outbound-mail', 'control.outbound-payments', 'control.outbound-provisioning']) {
    const found = checks.find((c) => c.id === id);
    t.equal(found?.status, 'passed', `${id}: ${found?.summary ?? ''}`);
    t.match(found?.summary, /^against the control run \(production's release, same sandbox\): [1-9]\d* /, `${id} compared something`);
  }
});

t.test('a sinkhole that declines every card is named as noise, not as the release\'s effect', async (t) => {
  const run = rehearse(['--json', 'all', planWith('declining', '\n  paymentSinkhole: { declineAboveCents: 0 }')]);
  const report = readReport(run.json?.report ?? '');
  const checks = report.checks as Check[];
  const effect = checks.find((c) => c.id === 'control.release-effect');
  const noise = checks.find((c) => c.id === 'control.environment-noise');
  t.equal(effect?.status, 'passed', `the candidate met the same sinkhole: ${effect?.summary}`);
  t.equal(noise?.status, 'warning');
  t.match(noise?.summary, /the rehearsal environment is not faithful: production's release billed \d[\d,]* row\(s\) here differently from production/);
  t.ok((noise?.evidence ?? []).length > 0, 'the tables and fields are listed');
  t.comment(`noise: ${noise?.summary}`);
});
