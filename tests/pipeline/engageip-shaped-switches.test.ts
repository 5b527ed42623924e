import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { makeEngageipShapedSample } from '../helpers/engageip-shaped-fixture.js';
import { NODE_TS, readReport, REHEARSE } from '../helpers/sample-fixture.js';
import { judge } from '../../src/checks/event-log.js';

const run = promisify(execFile);

/** A regression switch of the EngageIP-shaped candidate, the check that must fail and who it must name. */
interface SwitchCase {
  readonly fault: string;
  readonly check: string;
  readonly summary: RegExp;
  /** Accounts the check must name, or for role-permissions the role in its evidence. */
  readonly names: readonly string[];
}

/**
 * Each check fails for one switch only, so six switches share one rehearsal (staff users are not
 * accounts: staff-users names the login in its summary); the discount tracking
 * regression shows in the state differential alone, which others also fail, so it is rehearsed apart
 * (with staff-direct-grant-added, whose grant to the ReadOnly login readonly-role-gains-refund would
 * leave to role-permissions, and card-expired-warnings-few, since eventlog-failed-result fails
 * event-log too).
 * `npm run mutants -- --catalogue mutants/engageip-shaped-platform.yaml` rehearses them one at a time.
 */
const GROUPS: readonly (readonly SwitchCase[])[] = [
  [
    { fault: 'pool-overage-per-member', check: 'scenario.U000002', summary: /pool overage charge/, names: ['U000002'] },
    { fault: 'eventlog-failed-result', check: 'event-log', summary: /error/, names: ['U000001'] },
    { fault: 'mail-to-secondary-contact', check: 'outbound-mail', summary: /differ/, names: [] },
    { fault: 'provisioning-not-sent', check: 'provisioning', summary: /./, names: ['U000001'] },
    { fault: 'readonly-role-gains-refund', check: 'role-permissions', summary: /ReadOnly/, names: [] },
    { fault: 'staff-direct-grant-revoked', check: 'staff-users', summary: /1 of 5 active staff user\(s\) lost access compared with production: \S+ permission lost Payment\.Refund \(direct grant\)/, names: [] },
  ],
  [
    { fault: 'discount-tracking-not-updated', check: 'state-differential', summary: /UserServicePackageDiscountTracking/, names: ['U000001', 'U000010'] },
    { fault: 'staff-direct-grant-added', check: 'staff-users', summary: /1 staff user\(s\) gained permissions that neither verify\.expectedStaffPermissionChanges nor a grant to a role they held explains: \S+ permission gained Payment\.Refund \(direct grant\)/, names: [] },
    { fault: 'card-expired-warnings-few', check: 'event-log', summary: /Payments\/Charge \[other messages\] ×\d+/, names: [] },
  ],
];

const sample = makeEngageipShapedSample(80);
t.teardown(() => sample.cleanup());

async function rehearseAsync(plan: string): Promise<{ code: number; verdict?: string; report?: string; stderr: string }> {
  const [node, ...loader] = NODE_TS;
  try {
    const done = await run(node, [...loader, REHEARSE, '--json', 'all', plan], { encoding: 'utf8', timeout: 100_000 });
    const json = JSON.parse(done.stdout) as { verdict: string; report: string };
    return { code: 0, ...json, stderr: done.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    try {
      const json = JSON.parse(e.stdout ?? '') as { verdict: string; report: string };
      return { code: typeof e.code === 'number' ? e.code : -1, ...json, stderr: e.stderr ?? '' };
    } catch {
      return { code: -1, stderr: e.stderr ?? String(error) };
    }
  }
}

// The unchanged candidate and the switch groups share the sample, two rehearsals at a time.
const unchanged = rehearseAsync(sample.plan('go'));
const afterUnchanged = unchanged.then(() => undefined);
const outcomes = GROUPS.map((group, i) => (i === 0 ? Promise.resolve() : afterUnchanged).then(() => rehearseAsync(sample.plan(`group-${i}`, group.map((c) => c.fault)))));

t.test('the unchanged EngageIP-shaped candidate gives GO through the sql driver, every check configured', async (t) => {
  const run = await unchanged;
  t.equal(run.code, 0, run.stderr);
  t.equal(run.verdict, 'GO');
  const report = readReport(run.report ?? '');
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
  const runDir = dirname(run.report ?? '');
  t.notOk(existsSync(join(runDir, 'work')), 'the copy, the service log and its ready file are gone');
  const ledger = readFileSync(join(runDir, 'sandbox', 'egress-ledger.jsonl'), 'utf8');
  t.match(ledger, /"account":"U000001"/, "the sinkholes attribute the platform's messages to its users");
});

GROUPS.forEach((group, i) => {
  for (const c of group) {
    t.test(`${c.fault} gives NO-GO through ${c.check}`, async (t) => {
      const outcome = await outcomes[i];
      t.equal(outcome?.code, 1, outcome?.stderr ?? 'no outcome');
      t.equal(outcome?.verdict, 'NO-GO');
      const report = readReport(outcome?.report ?? '');
      t.ok(report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
      const check = report.checks.find((x) => x.id === c.check) as (typeof report.checks)[number] & { evidence?: unknown };
      t.equal(check?.status, 'failed', `${c.check}: ${check?.summary ?? 'absent'}`);
      t.match(check?.summary, c.summary);
      if (c.check === 'role-permissions') t.match(JSON.stringify(check?.evidence), /ReadOnly.*Payment\.Refund|Payment\.Refund.*ReadOnly/, 'the role and the permission are named');
      else if (c.check !== 'staff-users') t.ok((check?.affectedAccounts ?? []).length > 0, `${c.check} names the affected users`);
      for (const account of c.names) t.ok(check?.affectedAccounts?.includes(account), `${c.check} names ${account}`);
    });
  }
});

t.test('card-expired-warnings-few: split by messages the three are judged strictly; as one Payments/Charge kind they stayed within the gateway\'s margin', async (t) => {
  const outcome = await outcomes[GROUPS.findIndex((g) => g.some((c) => c.fault === 'card-expired-warnings-few'))];
  const check = readReport(outcome?.report ?? '').checks.find((x) => x.id === 'event-log') as { evidence?: Record<string, string | number>[] } | undefined;
  const rows = (check?.evidence ?? []).filter((e) => e.module === 'Payments' && e.action === 'Charge');
  const data = rows.find((e) => e.messages === 'other messages');
  t.match(data, { verdict: /production/, first_message: /: card expired$/ });
  const count = (key: 'count' | 'production count'): number => rows.reduce((total, e) => total + Number(e[key]), 0);
  t.equal(Number(data?.count) - Number(data?.['production count']), 3, 'three more "card expired" than production');
  t.equal(judge({ level: 'warning', count: count('count') }, count('production count'), true), 'as in production', `the whole kind, ${count('count')} against production's ${count('production count')}, is within the margin`);
});
