import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';
import { parseJsonPath, JsonPathError, valueAt } from '../../src/probes/json-path.js';
import { selectOnlyProblem } from '../../src/probes/select-only.js';
import { maskBody, maskHeaders } from '../../src/probes/mask.js';
import { checklistStatus, decideVerdict } from '../../src/report/model.js';
import { makePlanDir, validPlanText, PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

/** The fixture plan with one more checklist item carrying `probes` (YAML, indented as an item's field). */
function planWithProbes(probes: string): string {
  return validPlanText().replace('egress:\n', `  - id: probed\n    title: A probed item\n    probes:\n${probes}egress:\n`);
}

function errorsFor(text: string): string {
  try {
    loadPlan(dir.write('plan.yaml', text));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

t.test('the example plan automates six kinds of item with probes of all four kinds', async (t) => {
  const plan = loadPlan(join(PROJECT_ROOT, 'plans/example-local.yaml'));
  const probed = plan.checklist.filter((i) => i.probes.length > 0);
  t.ok(probed.length >= 6, `${probed.length} items carry probes`);
  t.same([...new Set(probed.flatMap((i) => i.probes.map((p) => p.spec.kind)))].sort(), ['command', 'http', 'job', 'sql']);
  const signUp = plan.checklist.find((i) => i.id === 'sign-up')?.probes[0];
  t.equal(signUp?.id, 'checklist.sign-up.1-http');
  t.match(signUp?.spec.kind === 'http' ? signUp.spec.body : '', /packageCode/, 'the body file is read when the plan is loaded');
});

t.test('a bad JSON path is reported at its line and column', async (t) => {
  const message = errorsFor(planWithProbes('      - http: { service: portal, path: /api }\n        expect: { json: [ { path: "$.a[*]", equals: 1 } ] }\n'));
  t.match(message, /plan\.yaml:\d+:\d+: bad JSON path: `\[\*\]` in `\$\.a\[\*\]` is neither an index nor a quoted name/);
  t.match(errorsFor(planWithProbes('      - http: { service: portal, path: /api }\n        expect: { json: [ { path: balance } ] }\n')), /bad JSON path: a JSON path starts with `\$`/);
});

t.test('an unknown service is named with the ones the adapter declares', async (t) => {
  const message = errorsFor(planWithProbes('      - job: { service: billing-scheduler, seconds: 1 }\n        expect: { ledger: [ { kind: provisioning, min: 1 } ] }\n'));
  t.match(message, /plan\.yaml:\d+:\d+: unknown service `billing-scheduler`; .*adapter\.yaml declares job-scheduler, portal, provisioning-worker/);
});

t.test('a sql probe must be one SELECT, on either engine', async (t) => {
  for (const [query, why] of [
    ['DELETE FROM accounts', /may only be one SELECT/],
    ['SELECT 1; DROP TABLE accounts', /nothing may follow `;`/],
    ['SELECT * INTO copy FROM accounts', /`INTO` is not allowed/],
    ['WITH x AS (SELECT 1 AS a) SELECT a FROM x', /may only be one SELECT/],
  ] as const) {
    const message = errorsFor(planWithProbes(`      - sql: "${query}"\n        expect: { rows: 0 }\n`));
    t.match(message, /plan\.yaml:\d+:\d+: /, query);
    t.match(message, why, query);
  }
});

/** A job probe on the provisioning worker whose provisioning expectation is `ledger` (YAML flow map fields). */
function jobWithLedger(fields: string): string {
  return planWithProbes(`      - job: { service: provisioning-worker, seconds: 1 }\n        expect: { ledger: [ { kind: provisioning, ${fields} } ] }\n`);
}

t.test("a job's `accounts` query is checked like a sql probe's, at its line and column", async (t) => {
  const valid = loadPlan(dir.write('plan.yaml', jobWithLedger('min: 1, accounts: "SELECT a.account_number FROM accounts a WHERE a.status = :billDate"')));
  const spec = valid.checklist.find((i) => i.id === 'probed')?.probes[0]?.spec;
  t.same(spec?.kind === 'job' ? spec.expect.ledger : undefined, [{ kind: 'provisioning', min: 1, accounts: 'SELECT a.account_number FROM accounts a WHERE a.status = :billDate' }], 'min and accounts together');
  for (const [fields, why] of [
    ['accounts: "UPDATE accounts SET status = 1"', /plan\.yaml:\d+:\d+: an `accounts` query may only be one SELECT/],
    ['accounts: "SELECT 1 AS a; SELECT 2 AS b"', /plan\.yaml:\d+:\d+: an `accounts` query is one statement: nothing may follow `;`/],
    ['accounts: "SELECT account_number INTO x FROM accounts"', /plan\.yaml:\d+:\d+: `INTO` is not allowed in an `accounts` query/],
    ['accounts: "SELECT account_number FROM accounts WHERE id = :who"', /plan\.yaml:\d+:\d+: unknown parameter :who; an `accounts` query may use :billDate and :account/],
    ['accounts: "SELECT account_number FROM accounts WHERE account_number = :account"', /:account needs the probe's `account`/],
    ['accounts: 42', /plan\.yaml:\d+:\d+: `checklist\.1\.probes\.0\.expect\.ledger\.0\.accounts` must be a string, got number/],
    ['accounts: [ ACC-000001 ]', /plan\.yaml:\d+:\d+: `[\w.]+\.accounts` must be a string, got a list/],
    ['accounts: ""', /plan\.yaml:\d+:\d+: `[\w.]+\.accounts` must have at least 1 character/],
    ['accounts: "  -- nothing\\n"', /plan\.yaml:\d+:\d+: the query is empty/],
  ] as const) {
    t.match(errorsFor(jobWithLedger(fields)), why, fields);
  }
  const line = (message: string): number => Number(/plan\.yaml:(\d+):/.exec(message)?.[1]);
  const wrong = jobWithLedger('accounts: "DELETE FROM accounts"');
  t.equal(line(errorsFor(wrong)), wrong.split('\n').findIndex((l) => l.includes('DELETE FROM accounts')) + 1, "the error is at the query's line");
  t.match(errorsFor(planWithProbes('      - job: { service: provisioning-worker, seconds: 1 }\n        expect: { ledger: [ { kind: provisioning } ] }\n')), /a ledger expectation needs `min`, `max` or `accounts`/);
});

t.test('rehearse check: a malformed `accounts` query exits 2 with file:line:column and creates nothing', async (t) => {
  const file = dir.write('bad-accounts.yaml', jobWithLedger('accounts: "SELECT 1 AS a; DROP TABLE accounts"'));
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, 'check', file], { encoding: 'utf8' });
  t.equal(result.status, 2);
  t.match(result.stderr, /bad-accounts\.yaml:\d+:\d+: an `accounts` query is one statement/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  t.notOk(existsSync(join(dir.dir, 'reports')), 'no report folder');
});

t.test('values, accounts, kinds and expectations a probe cannot have', async (t) => {
  t.match(errorsFor(planWithProbes('      - http: { service: portal, path: "/a/{{account.nickname}}" }\n        account: ACC-000001\n        expect: { status: 200 }\n')), /`\{\{account\.nickname\}\}`: an account's values are account\.status, account\.balance/);
  t.match(errorsFor(planWithProbes('      - http: { service: portal, path: "/a/{{account}}" }\n        expect: { status: 200 }\n')), /needs the probe's `account`/);
  t.match(errorsFor(planWithProbes('      - sql: SELECT 1\n        account: ACC-999999\n        expect: { rows: 1 }\n')), /account ACC-999999 is not one of the plan's scenario accounts/);
  t.match(errorsFor(planWithProbes('      - sql: SELECT 1\n        job: { service: portal, seconds: 1 }\n        expect: { rows: 1 }\n')), /a probe is exactly one of http, sql, command, job; this one is sql and job/);
  t.match(errorsFor(planWithProbes('      - sql: SELECT :who\n        expect: { status: 200 }\n')), /`expect\.status` does not apply to a sql probe[\s\S]*unknown parameter :who/);
  t.match(errorsFor(planWithProbes('      - http: { service: portal, path: /a, bodyFile: missing.json }\n        expect: { status: 200 }\n')), /body file .*missing\.json does not exist/);
});

t.test('rehearse check: a malformed probe exits 2 with file:line:column and creates nothing', async (t) => {
  const file = dir.write('bad-probe.yaml', planWithProbes('      - sql: "UPDATE accounts SET balance_cents = 0"\n        expect: { rows: 0 }\n'));
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, 'check', file], { encoding: 'utf8' });
  t.equal(result.status, 2);
  t.match(result.stderr, /bad-probe\.yaml:\d+:\d+: a `sql` probe may only be one SELECT/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  t.notOk(existsSync(join(dir.dir, 'reports')), 'no report folder');
});

t.test('JSON paths', async (t) => {
  t.same(parseJsonPath("$.a[0]['b c'].d"), ['a', 0, 'b c', 'd']);
  t.same(valueAt({ a: [{ 'b c': { d: 5 } }] }, parseJsonPath("$.a[0]['b c'].d")), { found: true, value: 5 });
  t.same(valueAt({ a: [] }, parseJsonPath('$.a[0]')), { found: false });
  t.throws(() => parseJsonPath('$.a..b'), JsonPathError);
  t.throws(() => parseJsonPath('$.a[?(@.x)]'), JsonPathError);
});

t.test('only a single SELECT passes, whatever strings and comments hold', async (t) => {
  t.equal(selectOnlyProblem("SELECT 'DELETE; DROP' AS text -- UPDATE\n FROM accounts;"), undefined);
  t.equal(selectOnlyProblem('select [update] from accounts /* insert */'), undefined);
  t.match(selectOnlyProblem('SELECT 1 /* unclosed')?.detail, /never closed/);
  t.match(selectOnlyProblem('SELECT 1 EXEC sp_who')?.detail, /`EXEC` is not allowed/);
  t.match(selectOnlyProblem('-- note\nPRAGMA writable_schema = 1')?.detail, /one SELECT/);
});

t.test('evidence withholds personal strings and credentials', async (t) => {
  t.equal(maskBody('{"email":"jane@example.com","balance":43.27,"lastBillDate":"2026-11-01","accountNumber":"ACC-000008"}'), '{"email":"«16 chars withheld»","balance":43.27,"lastBillDate":"2026-11-01","accountNumber":"ACC-000008"}');
  t.equal(maskHeaders({ Authorization: 'Bearer abc', accept: 'json' }), 'Authorization: «withheld»; accept: json');
  t.equal(maskBody('Jane Doe, 12 High St'), '«20 chars of text withheld»');
});

t.test("an item's status comes from its probes: a failed probe is NO-GO, an item with neither stays to confirm", async (t) => {
  const probe = (id: string) => ({ id, spec: { kind: 'http' } });
  const items = [
    { id: 'portal', title: 'Portal', checks: [], probes: [probe('checklist.portal.1-http'), probe('checklist.portal.2-http')] },
    { id: 'reports', title: 'Reports', checks: [], signOff: 'Ops' },
  ];
  const check = (id: string, status: 'passed' | 'failed', summary = 'ok') => ({ id, title: id, status, summary });
  const failing = checklistStatus(items, [check('checklist.portal.1-http', 'passed'), check('checklist.portal.2-http', 'failed', 'error: no answer')]);
  t.equal(failing[0]?.status, 'failed');
  t.same(failing[0]?.probes?.map((p) => p.status), ['passed', 'error']);
  t.equal(failing[1]?.status, 'to-confirm');
  t.equal(decideVerdict([], [check('checklist.portal.2-http', 'failed')], failing).verdict, 'NO-GO');
  const passing = checklistStatus(items, [check('checklist.portal.1-http', 'passed'), check('checklist.portal.2-http', 'passed')]);
  t.equal(passing[0]?.status, 'passed');
  t.equal(decideVerdict([{ name: 'verify', status: 'passed', durationMs: 1 }], [check('checklist.portal.1-http', 'passed')], passing).verdict, 'GO-PENDING-SIGN-OFF');
  const missing = checklistStatus(items.slice(0, 1), [check('checklist.portal.1-http', 'passed')]);
  t.same(missing[0]?.probes?.map((p) => p.status), ['passed', 'not run']);
  t.equal(missing[0]?.status, 'failed');
});
