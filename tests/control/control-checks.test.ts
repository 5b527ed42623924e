import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkControlRun } from '../../src/checks/control-run.js';
import { differentialRules } from '../../src/differential/rules.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

const ACCOUNT_IDENTITY = SAMPLE_ADAPTER.accountIdentity;
import { loadPlan } from '../../src/plan/load.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

/** Four copies of one state: before the bill run, then billed by the candidate, the control and production, each by `sql`. */
function copies(t: Test, bills: { candidate: string; control: string; production: string }) {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const dir = t.testdir();
  const files = { beforeBillRun: join(dir, 'before.db'), candidate: join(dir, 'candidate.db'), control: join(dir, 'control.db'), productionMasked: join(dir, 'production.db') };
  for (const path of Object.values(files)) copyFileSync(tiny.path, path);
  for (const [side, statement] of [['candidate', bills.candidate], ['control', bills.control], ['productionMasked', bills.production]] as const) {
    const db = new Database(files[side]);
    db.exec(statement);
    db.close();
  }
  return files;
}

const BILL = (cents: number) => `UPDATE accounts SET balance_cents = balance_cents + ${cents} WHERE account_number = 'ACC-000001'`;

t.test('the candidate billing one account differently from the control fails the release effect, naming table and field', async (t) => {
  const files = copies(t, { candidate: BILL(1001), control: BILL(1000), production: BILL(1000) });
  const [effect, noise] = await checkControlRun(files, differentialRules([]), ACCOUNT_IDENTITY, {}, 0);
  t.equal(effect?.status, 'failed');
  t.match(effect?.summary, /accounts\.balance_cents \(1\)/);
  t.same(effect?.affectedAccounts, ['ACC-000001']);
  t.equal(noise?.status, 'passed');
});

t.test('noise above the threshold is a warning naming tables and fields, never a failure of the release', async (t) => {
  const files = copies(t, { candidate: BILL(900), control: BILL(900), production: BILL(1000) });
  const [effect, noise] = await checkControlRun(files, differentialRules([]), ACCOUNT_IDENTITY, {}, 0);
  t.equal(effect?.status, 'passed');
  t.equal(noise?.status, 'warning');
  t.match(noise?.summary, /not faithful: .* 1 row\(s\) .*accounts\.balance_cents \(1\)/);
  const [, tolerated] = await checkControlRun(files, differentialRules([]), ACCOUNT_IDENTITY, {}, 1);
  t.equal(tolerated?.status, 'passed', 'within controlNoiseRows');
});

t.test('a missing control copy fails the release effect rather than pass it', async (t) => {
  const files = copies(t, { candidate: BILL(1), control: BILL(1), production: BILL(1) });
  const [effect] = await checkControlRun({ ...files, control: join(files.control, 'gone') }, differentialRules([]), ACCOUNT_IDENTITY, {}, 0);
  t.equal(effect?.status, 'failed');
  t.match(effect?.summary, /could not compare: control .* is missing/);
});

t.test('plan keys: verify.control and egress.paymentSinkhole are validated', async (t) => {
  const dir = makePlanDir();
  t.teardown(() => dir.cleanup());
  const good = loadPlan(dir.write('good.yaml', validPlanText().replace('report:', 'verify:\n  control: production-release\n  controlNoiseRows: 3\nreport:').replace('egress:\n', 'egress:\n  paymentSinkhole: { declineLast4: ["0002", "0119"] }\n')));
  t.equal(good.verify.control, 'production-release');
  t.equal(good.verify.controlNoiseRows, 3);
  t.same(good.egress.paymentSinkhole, { declineLast4: ['0002', '0119'] });
  t.equal(loadPlan(dir.write('default.yaml', validPlanText())).verify.control, undefined, 'off unless asked');
  t.throws(() => loadPlan(dir.write('bad.yaml', validPlanText().replace('report:', 'verify:\n  control: candidate\nreport:'))), { message: /bad\.yaml:\d+:\d+: .*production-release/ });
  t.throws(() => loadPlan(dir.write('bad-card.yaml', validPlanText().replace('egress:\n', 'egress:\n  paymentSinkhole: { declineLast4: ["4111111111111111"] }\n'))), { message: /bad-card\.yaml:\d+:\d+: / });
});
