import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { makeSample, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import type { Report } from '../../src/report/model.js';

/**
 * The regressions issue 14 found slipping through as GO, each a candidate-only switch of the
 * sample platform: every one must now give NO-GO through the check a release manager would look
 * at, naming what it found. (The unchanged candidate with the example plan, which lists its
 * intended new permissions, is rehearsal-go.test.ts.) One 300-account sample, two rehearsals at a time.
 */
t.setTimeout(240_000);
const sample = makeSample(300, 11);
t.teardown(() => sample.cleanup());
const run = promisify(execFile);
const BILL_DATE = '2026-11-01';
const BATCH = 250;

interface Outcome {
  readonly code: number;
  readonly report: Report;
}

async function rehearseWith(name: string, faults: string[]): Promise<Outcome> {
  const [node, ...loader] = NODE_TS;
  const plan = sample.plan(name, { faults });
  let code = 0;
  let stdout: string;
  try {
    stdout = (await run(node, [...loader, REHEARSE, '--json', 'all', plan], { encoding: 'utf8', timeout: 200_000 })).stdout;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    code = typeof e.code === 'number' ? e.code : -1;
    stdout = e.stdout ?? '';
    if (stdout === '') throw new Error(`rehearsal ${name} gave no JSON: ${e.stderr ?? String(error)}`, { cause: error });
  }
  const { report } = JSON.parse(stdout) as { report: string };
  return { code, report: JSON.parse(readFileSync(join(dirname(report), 'report.json'), 'utf8')) as Report };
}

const cases = ['exception-logged-as-warning', 'read-only-role-gains-permissions', 'batch-last-account-skipped', 'yearly-advanced-one-month'];
/**
 * Switches rehearsed beside another one, whose check they do not touch: missing-email-warnings-few
 * changes only the event log, which the read-only role's switch leaves alone.
 */
const ALONGSIDE: Readonly<Record<string, string>> = { 'missing-email-warnings-few': 'read-only-role-gains-permissions' };
const outcomes = new Map<string, Outcome>();
const queue = [...cases];
await Promise.all(
  [0, 1].map(async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      outcomes.set(name, await rehearseWith(name, [name, ...Object.keys(ALONGSIDE).filter((other) => ALONGSIDE[other] === name)]));
    }
  }),
);

function outcome(name: string): Outcome {
  const found = outcomes.get(ALONGSIDE[name] ?? name);
  if (found === undefined) throw new Error(`no rehearsal for ${name}`);
  return found;
}

function failedThrough(t: Test, name: string, checkId: string): Report['checks'][number] | undefined {
  const { code, report } = outcome(name);
  t.equal(code, 1, `${name}: exit 1`);
  t.equal(report.verdict, 'NO-GO', `${name}: NO-GO`);
  t.ok(report.stages.every((s) => s.status === 'passed'), `${name}: the pipeline itself ran through`);
  const check = report.checks.find((c) => c.id === checkId);
  t.equal(check?.status, 'failed', `${name}: ${checkId} failed`);
  return check;
}

t.test('exception-logged-as-warning gives NO-GO through event-log, naming the warning and its accounts', async (t) => {
  const check = failedThrough(t, 'exception-logged-as-warning', 'event-log');
  t.match(check?.summary, /warning\(s\) production's bill run did not log: Invoices\/Layout ×\d+/);
  t.match(check?.summary, /more than 2× and more than 5/, 'the threshold is stated');
  t.ok(check?.affectedAccounts?.includes('ACC-000001'), 'the first billed account is named');
  t.ok(check?.evidence?.some((e) => e.verdict === 'new warning' && e.module === 'Invoices' && e['production count'] === 0), 'evidence: a new warning production never logged');
});

t.test('missing-email-warnings-few gives NO-GO through event-log: "no e-mail address on file" is a data problem, not the mail server', async (t) => {
  const check = failedThrough(t, 'missing-email-warnings-few', 'event-log');
  t.match(check?.summary, /production's bill run did not log: Email\/Send \[other messages\] ×3|more often than production's: Email\/Send \[other messages\]/);
  t.match(check?.summary, /for Payments\/Charge, Email\/Send, Provisioning\/Activate only the messages the adapter lists as caused by those systems/, 'the rule says the mail kind is split by its messages');
  t.equal(check?.affectedCount, 3, 'three accounts');
  const row = check?.evidence?.find((e) => e.module === 'Email' && e.action === 'Send');
  t.match(row, { messages: 'other messages', count: 3, first_message: /: no e-mail address on file$/ });
  const { report } = outcome('missing-email-warnings-few');
  t.equal(report.checks.find((c) => c.id === 'outbound-mail')?.status, 'passed', 'every invoice was mailed as in production: only the event log shows it');
});

t.test('read-only-role-gains-permissions gives NO-GO through role-permissions, naming the role and both permissions', async (t) => {
  const check = failedThrough(t, 'read-only-role-gains-permissions', 'role-permissions');
  t.match(check?.summary, /ReadOnly: Payments\.Refund/);
  t.match(check?.summary, /ReadOnly: Settings\.Edit/);
  t.notMatch(check?.summary, /Administrator/, 'the expected grants are not blamed');
  const unexpected = (check?.evidence ?? []).filter((e) => e.change === 'permission granted to an existing role, not expected by the plan');
  t.same(unexpected.map((e) => `${e.role}: ${e.permission}`).sort(), ['ReadOnly: Payments.Refund', 'ReadOnly: Settings.Edit']);
});

t.test('batch-last-account-skipped gives NO-GO through bill-run-completed, naming exactly the skipped accounts', async (t) => {
  const db = new Database(sample.snapshot, { readonly: true });
  const due = db
    .prepare(`SELECT DISTINCT a.account_number AS n, a.id FROM accounts a JOIN user_packages up ON up.account_id = a.id
      WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ? ORDER BY a.id`)
    .all(BILL_DATE) as { n: string }[];
  db.close();
  const skipped = due.filter((_, i) => i % BATCH === BATCH - 1 || i === due.length - 1).map((r) => r.n);
  t.ok(due.length > BATCH, `${due.length} accounts due: more than one batch`);
  const check = failedThrough(t, 'batch-last-account-skipped', 'bill-run-completed');
  t.match(check?.summary, new RegExp(`^${due.length} accounts were due but the platform recorded ${due.length - skipped.length} billed`));
  t.same([...(check?.affectedAccounts ?? [])].sort(), [...skipped].sort());
  t.equal(check?.affectedCount, skipped.length);
});

t.test('yearly-advanced-one-month gives NO-GO through production-diff, the yearly trait ranked first by lift', async (t) => {
  const check = failedThrough(t, 'yearly-advanced-one-month', 'production-diff');
  t.match(check?.summary, /next bill dates/);
  t.match(check?.summary, /most likely cause: holds a yearly package \(lift ×\d/);
  const [first] = check?.sections?.find((s) => s.title.includes('cause'))?.rows ?? [];
  t.equal(first?.cause, 'holds a yearly package', 'the cause shown first');
  t.equal(first?.['share of differing'], '100%');
  t.ok((check?.affectedAccounts ?? []).includes('ACC-000001'), 'ACC-000001 (a yearly package due) is named');
});
