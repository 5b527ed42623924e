import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeEngageipShapedSample } from '../helpers/engageip-shaped-fixture.js';
import { readReport, rehearse } from '../helpers/sample-fixture.js';

/**
 * The second stand-in end to end: a PascalCase schema with DECIMAL(19,4) money, driven by the
 * `sql` driver (a request row its service polls). The unchanged candidate ends GO with every
 * concept answered, so no check is "not configured".
 */
const sample = makeEngageipShapedSample(80);
t.teardown(() => sample.cleanup());

t.test('the EngageIP-shaped candidate gives GO through the sql driver, every check configured', async (t) => {
  const run = rehearse(['--json', 'all', sample.plan('go')]);
  t.equal(run.status, 0, run.stderr);
  t.equal(run.json?.verdict, 'GO');
  const report = readReport(run.json?.report ?? '');
  t.ok(report.stages.every((s) => s.status === 'passed'), JSON.stringify(report.stages));
  t.notOk(report.checks.some((c) => c.status === 'failed'), 'no check failed');
  t.same(report.checks.filter((c) => /not configured/.test(c.summary)).map((c) => c.id), [], 'every concept the checks read is answered');
  for (const id of ['bill-run-completed', 'production-diff', 'state-differential', 'outbound-mail', 'outbound-payments', 'outbound-provisioning', 'role-permissions', 'staff-users', 'bill-run-configuration', 'scenario.U000002']) {
    t.equal(report.checks.find((c) => c.id === id)?.status, 'passed', `${id} passed`);
  }
  t.match(report.checks.find((c) => c.id === 'bill-run-completed')?.summary, /completed on release 9\.0\.1/, 'the service wrote the candidate release into BillRun');
  const configuration = report.checks.find((c) => c.id === 'bill-run-configuration') as (typeof report.checks)[number] & { evidence?: Record<string, string>[] };
  const period = configuration.evidence?.find((r) => r['item'] === 'Invoice.ShowServicePeriod');
  t.same([period?.['production'], period?.['rehearsal']], ['True', 'True'], "production's non-default configuration was sent to the service (the state differential shows it was honoured)");
  t.match(report.checks.find((c) => c.id === 'staff-users')?.summary, /all 5 active staff user\(s\) keep every permission they had \(roles and direct grants\)/);
  const runDir = dirname(run.json?.report ?? '');
  t.notOk(existsSync(join(runDir, 'work')), 'the copy, the service log and its ready file are gone');
  const ledger = readFileSync(join(runDir, 'sandbox', 'egress-ledger.jsonl'), 'utf8');
  t.match(ledger, /"account":"U000001"/, "the sinkholes attribute the platform's messages to its users");
});
