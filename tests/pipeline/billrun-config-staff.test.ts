import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSample, rehearse, readReport } from '../helpers/sample-fixture.js';

/**
 * Whole rehearsals, grouped on one small sample: production's bill-run configuration applied as it
 * was, a plan override shown with its reason (and, since it changes every recurring line, caught
 * by the state differential), the job scheduler enabled for the bill run, and the staff-users
 * check catching the candidate's revoked direct grant.
 */
const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

const REASON = 'RN-204: the period moves to a line of its own';
const SERVICE_REASON = 'the release sends invoice e-mail from a scheduled job';

interface Check {
  id: string;
  status: string;
  summary: string;
  evidence?: Record<string, unknown>[];
  sections?: { title: string; rows: Record<string, unknown>[] }[];
}

function fullReport(reportMd: string): { checks: Check[] } {
  return JSON.parse(readFileSync(join(dirname(reportMd), 'report.json'), 'utf8')) as { checks: Check[] };
}

t.test('a configuration override and an enabled service: shown beside production with their reasons; the override changes the bill, so NO-GO', async (t) => {
  const plan = sample.plan('override', {
    extraYaml: `platformOverrides:\n  configuration:\n    - { item: invoice.servicePeriodInDescription, value: "false", reason: "${REASON}" }\n  enableServices:\n    - { service: job-scheduler, reason: "${SERVICE_REASON}" }\n`,
  });
  const run = rehearse(['--json', 'all', plan]);
  t.equal(run.status, 1, run.stderr);
  const report = fullReport(run.json?.report ?? '');
  const configuration = report.checks.find((c) => c.id === 'bill-run-configuration');
  t.equal(configuration?.status, 'warning');
  t.same(configuration?.evidence, [
    { item: 'invoice.servicePeriodInDescription', production: 'true', rehearsal: 'false', override: 'plan', reason: REASON },
    { item: 'invoice.taxLabel', production: 'Sales tax', rehearsal: 'Sales tax', override: '—', reason: '—' },
  ]);
  const services = report.checks.find((c) => c.id === 'platform-services');
  t.same(services?.evidence?.map((r) => [r.service, r.state, r.reason]), [
    ['job-scheduler', 'enabled by plan: ran during the bill run, stopped after', SERVICE_REASON],
    ['portal', 'no state command: assumed stopped', '—'],
    ['provisioning-worker', 'no state command: assumed stopped', '—'],
  ]);
  const differential = report.checks.find((c) => c.id === 'state-differential');
  t.equal(differential?.status, 'failed', 'the overridden item really reached the bill run');
  t.match(JSON.stringify(differential), 'invoice_items');
  const md = readFileSync(run.json?.report ?? '', 'utf8');
  const html = readFileSync(join(dirname(run.json?.report ?? ''), 'report.html'), 'utf8');
  for (const [name, text] of [['report.md', md], ['report.html', html]] as const) {
    t.ok(text.includes('RN-204'), `${name} shows the override's reason`);
    t.ok(text.includes('invoice.servicePeriodInDescription'), `${name} shows the item`);
    t.ok(text.includes(SERVICE_REASON), `${name} shows why the service ran`);
  }
});

t.test("staff-direct-grant-revoked and staff-direct-grant-added each give NO-GO through staff-users; production's configuration was applied as it was", async (t) => {
  // One rehearsal for both: one takes a grant from user 3, the other gives one to user 10, and staff-users names each.
  const run = rehearse(['--json', 'all', sample.plan('staff', { faults: ['staff-direct-grant-revoked', 'staff-direct-grant-added'] })]);
  t.equal(run.status, 1, run.stderr);
  t.equal(run.json?.verdict, 'NO-GO');
  const report = fullReport(run.json?.report ?? '');
  const staff = report.checks.find((c) => c.id === 'staff-users');
  t.equal(staff?.status, 'failed');
  t.match(staff?.summary, /1 of 9 active staff user\(s\) lost access compared with production: \S+ permission lost Staff\.Manage \(direct grant\)/);
  t.match(staff?.summary, /1 staff user\(s\) gained permissions that neither verify\.expectedStaffPermissionChanges nor a grant to a role they held explains: \S+ permission gained Payments\.Refund \(direct grant\)/);
  t.equal(report.checks.find((c) => c.id === 'role-permissions')?.status, 'passed', 'no role changed: the gain is a staff user\'s alone');
  const configuration = report.checks.find((c) => c.id === 'bill-run-configuration');
  t.equal(configuration?.status, 'passed');
  t.ok(configuration?.evidence?.every((r) => r.production === r.rehearsal && r.override === '—'), "every item as production's last bill run had it");
  const differential = JSON.stringify(report.checks.find((c) => c.id === 'state-differential'));
  t.match(differential, 'staff_user_permissions', 'the revoked grant is a state difference too');
  t.notMatch(differential, 'invoice_items', "every invoice line is described as production's configuration made it");
  t.equal(report.checks.find((c) => c.id === 'platform-services')?.status, 'passed', 'the scheduler was kept stopped');
  t.ok(readReport(run.json?.report ?? '').stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
});
