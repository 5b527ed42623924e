import t from 'tap';
import type Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { resultCopies, withEngines } from '../helpers/result-copies.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkEventLog, judge, WARNING_MARGIN, WARNING_RATIO } from '../../src/checks/event-log.js';
import { checkRolePermissions } from '../../src/checks/role-permissions.js';
import { checkBillRunCompleted } from '../../src/checks/bill-run-completed.js';
import { rankCauses } from '../../src/checks/production-diff.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';

const BILL_DATE = '2026-11-01';
const STARTED = '2026-11-01T02:00:00.000Z';
const tiny = makeTinyDatabase();
t.teardown(() => tiny.cleanup());

/** Copies of the tiny database, each changed: one side of a comparison. */
const { changedCopy: copyWith } = resultCopies(tiny.path, tiny.dir);

/** `n` event-log rows of one kind, logged after the bill run started, on account 1 (or 2 with `account`). */
function log(db: Database.Database, level: string, module: string, action: string, n: number, account = 1): void {
  const insert = db.prepare("INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, ?, ?, ?, 'failed', ?, ?)");
  for (let i = 0; i < n; i++) insert.run(`2026-11-01T02:00:${String(10 + i).padStart(2, '0')}.000Z`, level, module, action, account, `${module} ${action} ${i}`);
}

/** The sample adapter's kinds that depend on outside systems, as the tests judge them. */
const EXTERNAL = [{ module: 'Payments', action: 'Charge' }, { module: 'Email', action: 'Send' }];

function withBillRun(db: Database.Database, accountsBilled = 2, status = 'completed'): void {
  db.prepare("INSERT INTO bill_runs (bill_date, release, status, started_at, finished_at, accounts_billed) VALUES (?, '7.4.2', ?, ?, '2026-11-01T02:05:00.000Z', ?)").run(BILL_DATE, status, STARTED, accountsBilled);
}

t.test('event-log: warnings of kinds production logged as often pass with a warning; errors fail even when production had them', async (t) => {
  const production = copyWith('log-prod', (db) => {
    withBillRun(db);
    log(db, 'warning', 'Payments', 'Charge', 4);
    log(db, 'error', 'Invoices', 'Render', 1);
    // Before production's bill run: not part of its bill run, so not a licence for the rehearsal.
    db.prepare("INSERT INTO event_log (logged_at, level, module, action, result, message) VALUES ('2026-10-31T00:00:00.000Z', 'warning', 'Usage', 'Import', 'failed', 'old')").run();
  });
  const same = await withEngines(copyWith('log-same', (db) => log(db, 'warning', 'Payments', 'Charge', 4)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(same.status, 'warning', same.summary);
  t.match(same.summary, /^no errors; 4 warning\(s\)/);

  const error = await withEngines(copyWith('log-error', (db) => log(db, 'error', 'Invoices', 'Render', 1, 2)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(error.status, 'failed', 'an error fails although production logged the same one');
  t.match(error.summary, /^1 error\(s\)/);
  t.same(error.affectedAccounts, ['ACC-000002']);

  const oldKind = await withEngines(copyWith('log-old', (db) => log(db, 'warning', 'Usage', 'Import', 1)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(oldKind.status, 'failed', 'a kind production logged only before its bill run counts as new');
});

t.test('event-log: a new (module, action) warning fails and names its accounts; rows before the bill run are ignored', async (t) => {
  const production = copyWith('new-prod', (db) => withBillRun(db));
  const rehearsal = copyWith('new-reh', (db) => {
    log(db, 'warning', 'Invoices', 'Layout', 2, 2);
    db.prepare("INSERT INTO event_log (logged_at, level, module, action, result, message) VALUES ('2026-11-01T01:59:59.000Z', 'error', 'Setup', 'Boot', 'failed', 'before the run')").run();
  });
  const result = await withEngines(rehearsal, production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(result.status, 'failed');
  t.match(result.summary, /2 warning\(s\) production's bill run did not log: Invoices\/Layout ×2/);
  t.notMatch(result.summary, /error/, 'the error before the bill run started is not counted');
  t.same(result.affectedAccounts, ['ACC-000002']);
  t.same(result.evidence?.[0], { ...result.evidence?.[0], verdict: 'new warning', module: 'Invoices', action: 'Layout', count: 2, 'production count': 0 });
});

t.test('event-log: a warning of a kind depending on outside systems fails only when well above production\'s count', async (t) => {
  t.equal(WARNING_RATIO, 2);
  t.equal(WARNING_MARGIN, 5);
  const cases: [rehearsal: number, production: number, verdict: string][] = [
    [6, 1, 'as in production'], // 6× but only 5 more
    [7, 1, 'well above production'],
    [12, 6, 'as in production'], // 6 more but only 2×
    [13, 6, 'well above production'],
    [1, 0, 'new warning'],
  ];
  for (const [count, inProduction, verdict] of cases) t.equal(judge({ level: 'warning', count }, inProduction, true), verdict, `${count} against production's ${inProduction}`);
  t.equal(judge({ level: 'error', count: 1 }, 5, true), 'error');

  const production = copyWith('above-prod', (db) => {
    withBillRun(db);
    log(db, 'warning', 'Email', 'Send', 2);
  });
  const above = await withEngines(copyWith('above-reh', (db) => log(db, 'warning', 'Email', 'Send', 9)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(above.status, 'failed');
  t.match(above.summary, /warnings depending on outside systems well above production's: Email\/Send ×9 \(production 2\)/);
  t.match(above.summary, /depending on outside systems fails only when logged more than 2× and more than 5 times more often than there: for Payments\/Charge, Email\/Send the whole kind \(the adapter lists no messages\)/, 'the threshold and the declared kinds are in the report');
  const within = await withEngines(copyWith('within-reh', (db) => log(db, 'warning', 'Email', 'Send', 7)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(within.status, 'warning', `5 more against a mail server is within the margin: ${within.summary}`);
});

t.test('event-log: any other warning production logged fails when logged more often than there', async (t) => {
  const cases: [rehearsal: number, production: number, verdict: string][] = [
    [3, 3, 'as in production'],
    [2, 3, 'as in production'],
    [4, 3, 'above production'],
    [7, 3, 'above production'],
    [1, 0, 'new warning'],
  ];
  for (const [count, inProduction, verdict] of cases) t.equal(judge({ level: 'warning', count }, inProduction, false), verdict, `${count} against production's ${inProduction}`);

  const production = copyWith('render-prod', (db) => {
    withBillRun(db);
    log(db, 'warning', 'Invoices', 'Render', 3);
  });
  const more = await withEngines(copyWith('render-more', (db) => log(db, 'warning', 'Invoices', 'Render', 7, 2)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(more.status, 'failed', 'four more render warnings fail although under the external kinds\' margin');
  t.match(more.summary, /warnings more often than production's: Invoices\/Render ×7 \(production 3\)/);
  t.same(more.affectedAccounts, ['ACC-000002']);
  t.same(more.evidence?.[0], { ...more.evidence?.[0], verdict: 'above production', module: 'Invoices', action: 'Render', count: 7, 'production count': 3 });

  const same = await withEngines(copyWith('render-same', (db) => log(db, 'warning', 'Invoices', 'Render', 3)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(same.status, 'warning', same.summary);

  const declared = await withEngines(copyWith('render-declared', (db) => log(db, 'warning', 'Invoices', 'Render', 7)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, [{ module: 'Invoices', action: 'Render' }]));
  t.equal(declared.status, 'warning', `declared as depending on outside systems, the margin applies: ${declared.summary}`);
});

/** Warnings of one kind with these messages, logged after the bill run started, on `account`. */
function logMessages(db: Database.Database, module: string, action: string, messages: readonly string[], account = 1): void {
  const insert = db.prepare("INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, 'warning', ?, ?, 'failed', ?, ?)");
  messages.forEach((message, i) => insert.run(`2026-11-01T02:01:${String(10 + i).padStart(2, '0')}.000Z`, module, action, account, message));
}

const NO_ADDRESS = 'INV-2026-11-01-ACC-000001: no e-mail address on file';
const REFUSED = 'INV-2026-11-01-ACC-000001: EENVELOPE: 550 recipient rejected';
/** Email/Send with the mail server's messages listed; Payments/Charge without a list. */
const WITH_MESSAGES = [{ module: 'Payments', action: 'Charge' }, { module: 'Email', action: 'Send', messages: ['^INV-\\S+: [A-Z][A-Z0-9_]+: '] }];
const times = (n: number, message: string): string[] => Array.from({ length: n }, () => message);

t.test('event-log: a declared kind with a message list gets the margin only for those messages; the rest of it is counted apart, on both sides, and judged strictly', async (t) => {
  // Production's bill run: two invoices without an address (data), one refused by the mail server.
  const production = copyWith('split-prod', (db) => {
    withBillRun(db);
    logMessages(db, 'Email', 'Send', [...times(2, NO_ADDRESS), REFUSED]);
  });
  const judged = (name: string, messages: readonly string[], external: typeof WITH_MESSAGES | typeof EXTERNAL = WITH_MESSAGES, against = production) =>
    withEngines(copyWith(name, (db) => logMessages(db, 'Email', 'Send', messages, 2)), against, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, external));

  // The hole: three more invoices without an address. Judged as one kind, 6 against production's 3
  // is within the margin; split, 5 against 2 is above production's for those same messages.
  t.equal(judge({ level: 'warning', count: 6 }, 3, true), 'as in production', 'before: the whole kind within the margin');
  t.equal(judge({ level: 'warning', count: 5 }, 2, false), 'above production', 'after: the data part, strictly');
  t.equal(judge({ level: 'warning', count: 1 }, 1, true), 'as in production', 'after: the mail server\'s part, as in production');
  const lost = await judged('split-lost', [...times(5, NO_ADDRESS), REFUSED]);
  t.equal(lost.status, 'failed', lost.summary);
  t.match(lost.summary, /^warnings more often than production's: Email\/Send \[other messages\] ×5 \(production 2\) logged/);
  t.match(lost.summary, /for Email\/Send only the messages the adapter lists as caused by those systems \(the kind's other messages, such as data problems, are counted apart on both sides and fail like any other warning\); for Payments\/Charge the whole kind \(the adapter lists no messages\)/, 'the rule says which kinds are split');
  t.same(lost.affectedAccounts, ['ACC-000002']);
  const row = (result: typeof lost, part: string) => result.evidence?.find((e) => e.messages === part);
  t.same(row(lost, 'other messages'), { ...row(lost, 'other messages'), verdict: 'above production', module: 'Email', action: 'Send', count: 5, 'production count': 2, first_message: NO_ADDRESS });
  t.same(row(lost, 'outside systems'), { ...row(lost, 'outside systems'), verdict: 'as in production', count: 1, 'production count': 1, first_message: REFUSED });
  const unsplit = await judged('split-unsplit', [...times(5, NO_ADDRESS), REFUSED], EXTERNAL);
  t.equal(unsplit.status, 'warning', `without a message list the whole kind gets the margin, as before: ${unsplit.summary}`);
  t.equal(unsplit.evidence?.[0]?.messages, 'all, outside systems');

  const same = await judged('split-same', [...times(2, NO_ADDRESS), REFUSED]);
  t.equal(same.status, 'warning', same.summary);
  t.match(same.summary, /for Email\/Send only the messages the adapter lists/, 'the rule is in a passing report too');

  // The mail server's part keeps its margin, against production's count of that part only (1, not 3).
  const refused = await judged('split-refused-7', [...times(2, NO_ADDRESS), ...times(7, REFUSED)]);
  t.equal(refused.status, 'failed', refused.summary);
  t.match(refused.summary, /warnings depending on outside systems well above production's: Email\/Send \[outside systems\] ×7 \(production 1\)/);
  const withinMargin = await judged('split-refused-6', [...times(2, NO_ADDRESS), ...times(6, REFUSED)]);
  t.equal(withinMargin.status, 'warning', `5 more refusals are within the margin: ${withinMargin.summary}`);
  t.equal(judge({ level: 'warning', count: 7 }, 3, true), 'as in production', 'against production\'s whole kind (3), not its refusals (1), the 7 refusals would pass');

  // A part production's bill run did not log at all is new, like a kind it did not log.
  const onlyData = copyWith('split-prod-data', (db) => {
    withBillRun(db);
    logMessages(db, 'Email', 'Send', times(2, NO_ADDRESS));
  });
  const newPart = await judged('split-new-part', [...times(2, NO_ADDRESS), REFUSED], WITH_MESSAGES, onlyData);
  t.equal(newPart.status, 'failed');
  t.match(newPart.summary, /1 warning\(s\) production's bill run did not log: Email\/Send \[outside systems\] ×1/);
  const noMessage = await withEngines(
    copyWith('split-null-message', (db) => db.prepare("INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES ('2026-11-01T02:01:00.000Z', 'warning', 'Email', 'Send', 'failed', 1, NULL)").run()),
    onlyData,
    (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, WITH_MESSAGES),
  );
  t.equal(noMessage.evidence?.[0]?.messages, 'other messages', 'a warning without a message matches no pattern');
});

t.test('event-log: without a bill run in production\'s result every warning counts as new (fail closed)', async (t) => {
  const production = copyWith('none-prod', (db) => log(db, 'warning', 'Payments', 'Charge', 3));
  const result = await withEngines(copyWith('none-reh', (db) => log(db, 'warning', 'Payments', 'Charge', 1)), production, (r, p) => checkEventLog(r, STARTED, p, BILL_DATE, profile, EXTERNAL));
  t.equal(result.status, 'failed');
  t.match(result.summary, /production's result records no bill run for 2026-11-01/);
});

/** The tiny database with a read-only role and a few permissions, as production left it. */
const rolesProduction = copyWith('roles-prod', (db) => {
  db.exec(`INSERT INTO roles (id, name) VALUES (2, 'ReadOnly');
    INSERT INTO permissions (id, name) VALUES (1, 'Accounts.View'), (2, 'Settings.Edit'), (3, 'Payments.Refund');
    INSERT INTO role_permissions (role_id, permission_id) VALUES (1, 1), (1, 2), (1, 3), (2, 1);`);
});
const rolesCopies = resultCopies(rolesProduction, tiny.dir);
function rolesAfter(name: string, sql: string): string {
  return rolesCopies.changedCopy(name, (db) => db.exec(sql));
}
const RELEASE_GRANTS = `INSERT INTO permissions (id, name) VALUES (4, 'Invoices.Preview'); INSERT INTO role_permissions (role_id, permission_id) VALUES (1, 4);`;
const EXPECTED = [{ role: 'Administrator', permission: 'Invoices.Preview', reason: 'the release adds invoice preview' }];

t.test('role-permissions: a permission newly granted to an existing role fails unless the plan expects it', async (t) => {
  const widened = rolesAfter('roles-widened', `${RELEASE_GRANTS} INSERT INTO role_permissions (role_id, permission_id) VALUES (2, 2), (2, 3);`);
  const result = await withEngines(widened, rolesProduction, (r, p) => checkRolePermissions(r, p, EXPECTED, profile));
  t.equal(result.status, 'failed');
  t.match(result.summary, /2 permission\(s\) newly granted to existing roles and not listed in verify\.expectedPermissionChanges \(ReadOnly: Payments\.Refund, ReadOnly: Settings\.Edit\)/);
  t.ok(result.evidence?.some((e) => e.change === 'permission granted, as the plan expects' && e.role === 'Administrator' && e.reason === EXPECTED[0]?.reason), 'the expected grant is listed with its reason');

  const unlisted = await withEngines(rolesAfter('roles-unlisted', RELEASE_GRANTS), rolesProduction, (r, p) => checkRolePermissions(r, p, [], profile));
  t.equal(unlisted.status, 'failed', "the release's own new permission fails too when the plan does not list it");
  t.match(unlisted.summary, /Administrator: Invoices\.Preview/);

  const listed = await withEngines(rolesAfter('roles-listed', RELEASE_GRANTS), rolesProduction, (r, p) => checkRolePermissions(r, p, EXPECTED, profile));
  t.equal(listed.status, 'passed', listed.summary);
});

t.test('role-permissions: grants to a role the release adds are listed, not failed; an expected grant not made warns', async (t) => {
  const newRole = rolesAfter('roles-new', `INSERT INTO roles (id, name) VALUES (3, 'Scheduler'); INSERT INTO role_permissions (role_id, permission_id) VALUES (3, 1);`);
  const result = await withEngines(newRole, rolesProduction, (r, p) => checkRolePermissions(r, p, EXPECTED, profile));
  t.equal(result.status, 'warning');
  t.match(result.summary, /1 expected grant\(s\) not made: Administrator: Invoices\.Preview/);
  t.ok(result.evidence?.some((e) => e.change === 'permission granted to a role the release added' && e.role === 'Scheduler'));
});

/** Accounts 1 and 2 due, a cancelled account 3 due and account 4 not due; `billed` lists who got an invoice. */
function billedDb(name: string, billed: number[], recorded: number, status = 'completed'): string {
  return copyWith(name, (db) => {
    db.exec(`INSERT INTO accounts (id, owner_id, account_number, name, status, bill_day) VALUES (3, 1, 'ACC-000003', 'Cancelled', 'cancelled', 1), (4, 1, 'ACC-000004', 'Later', 'active', 15);
      INSERT INTO packages (id, code, name, period, price_cents) VALUES (1, 'VOICE', 'Voice', 'monthly', 1000);`);
    const pkg = db.prepare("INSERT INTO user_packages (account_id, package_id, quantity, start_date, next_bill_date, status) VALUES (?, 1, 1, '2026-01-01', ?, 'active')");
    // Account 1 holds two due packages: still one account due.
    for (const [account, date] of [[1, '2026-11-01'], [1, '2026-10-01'], [2, '2026-11-01'], [3, '2026-11-01'], [4, '2026-11-15']] as const) pkg.run(account, date);
    const before = Number((db.prepare("SELECT COUNT(*) AS n FROM user_packages WHERE next_bill_date <= '2026-11-01'").get() as { n: number }).n);
    if (before !== 4) throw new Error('fixture: four due packages expected');
    for (const account of billed) {
      db.prepare("INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at) VALUES (?, ?, ?, 1000, 0, 0, 1000, ?)").run(account, `INV-${account}`, BILL_DATE, STARTED);
      db.prepare("UPDATE user_packages SET next_bill_date = '2026-12-01' WHERE account_id = ?").run(account);
    }
    withBillRun(db, recorded, status);
  });
}

t.test('baseline: the due count is active accounts with an active package due, each counted once', async (t) => {
  const engine = SqliteEngine.open(billedDb('due', [], 0), { readonly: true });
  t.teardown(() => engine.close());
  const [row] = await profile.query(engine, 'accountsDueCount', { billDate: BILL_DATE });
  t.equal(Number(row?.accounts), 2, 'accounts 1 and 2; not the cancelled one, not the one due later');
});

t.test('bill-run-completed: passes only when the recorded and invoiced counts equal the due count', async (t) => {
  const check = async (path: string, due: number | undefined): ReturnType<typeof checkBillRunCompleted> => {
    const engine = SqliteEngine.open(path, { readonly: true });
    try {
      return await checkBillRunCompleted(engine, BILL_DATE, 'candidate', due, profile);
    } finally {
      await engine.close();
    }
  };
  const whole = await check(billedDb('whole', [1, 2], 2), 2);
  t.equal(whole.status, 'passed', whole.summary);
  t.match(whole.summary, /2 accounts billed, every one of the 2 due/);

  const short = await check(billedDb('short', [1], 1), 2);
  t.equal(short.status, 'failed');
  t.match(short.summary, /^2 accounts were due but the platform recorded 1 billed and invoiced 1: 1 due account\(s\) not billed \(ACC-000002\)/);
  t.same(short.affectedAccounts, ['ACC-000002']);
  t.equal(short.affectedCount, 1);

  const lying = await check(billedDb('lying', [1], 2), 2);
  t.equal(lying.status, 'failed', 'a platform that counts an account it did not invoice is not believed');
  t.same(lying.affectedAccounts, ['ACC-000002']);

  const unknown = await check(billedDb('unknown', [1, 2], 2), undefined);
  t.equal(unknown.status, 'failed', 'a baseline without the due count proves nothing');
  t.match(unknown.summary, /--fresh/);

  const stopped = await check(billedDb('stopped', [1], 1, 'failed'), 2);
  t.equal(stopped.status, 'failed');
  t.match(stopped.summary, /^bill run status failed/);
});

t.test('production-diff causes: ranked by lift with a minimum support, not by raw count', async (t) => {
  // 2000 accounts: 1800 hold a monthly package, 200 a yearly one; the 200 yearly accounts differ,
  // 164 of them also monthly. Two accounts share a rare trait and both differ.
  const totals = new Map([['holds a monthly package', 1800], ['holds a yearly package', 200], ['rare trait', 2], ['top-level account', 1900]]);
  const causes = new Map([
    ['holds a monthly package', { accounts: 164, example: 'ACC-000001' }],
    ['holds a yearly package', { accounts: 200, example: 'ACC-000001' }],
    ['rare trait', { accounts: 2, example: 'ACC-000005' }],
    ['top-level account', { accounts: 190, example: 'ACC-000001' }],
  ]);
  const ranked = rankCauses(causes, totals, 200, 2000);
  t.same(ranked.map((c) => c.cause), ['holds a yearly package', 'top-level account', 'holds a monthly package', 'rare trait']);
  t.equal(ranked[0]?.lift, 10, '100% of differing against 10% of all');
  t.equal(ranked[0]?.minSupport, 20, '10% of 200 differing accounts');
  t.notOk(ranked[3]?.supported, 'the rare trait is below the minimum support and ranks last');
  t.ok(Math.abs((ranked[3]?.lift ?? 0) - 10) < 1e-9, 'its lift (10) ties the yearly one, yet it ranks last');
  const few = rankCauses(new Map([['rare trait', { accounts: 2, example: 'ACC-000005' }]]), totals, 2, 2000);
  t.ok(few[0]?.supported, 'when only two accounts differ, a trait both share is enough');
});

t.test('plan: verify.expectedPermissionChanges is validated with file:line:column, and the CLI exits 2', async (t) => {
  const dir = makePlanDir();
  t.teardown(() => dir.cleanup());
  const withChanges = (yaml: string): string => `${validPlanText()}verify:\n  expectedPermissionChanges:\n${yaml}`;
  const good = loadPlan(dir.write('good.yaml', withChanges('    - { role: Administrator, permission: Invoices.Preview, reason: "the release adds invoice preview" }\n')));
  t.same(good.verify.expectedPermissionChanges, EXPECTED);
  t.same(loadPlan(dir.write('none.yaml', validPlanText())).verify.expectedPermissionChanges, [], 'absent: nothing expected');

  const errorsOf = (name: string, yaml: string): string => {
    try {
      loadPlan(dir.write(name, withChanges(yaml)));
    } catch (error) {
      if (error instanceof ConfigErrors) return error.message;
      throw error;
    }
    throw new Error(`${name} unexpectedly valid`);
  };
  // The first entry sits two lines below the end of the fixture (after `verify:` and the key).
  const first = validPlanText().split('\n').length + 2;
  t.match(errorsOf('no-reason.yaml', '    - { role: ReadOnly, permission: Settings.Edit }\n'), new RegExp(`no-reason\\.yaml:${first}:\\d+: missing required field \`verify\\.expectedPermissionChanges\\.0\\.reason\``));
  t.match(errorsOf('short.yaml', '    - { role: ReadOnly, permission: Settings.Edit, reason: "ok" }\n'), new RegExp(`short\\.yaml:${first}:\\d+: .verify\\.expectedPermissionChanges\\.0\\.reason. must have at least 10 character`));
  const twice = '    - { role: ReadOnly, permission: Settings.Edit, reason: "support asked for it" }\n    - { role: ReadOnly, permission: Settings.Edit, reason: "listed again by mistake" }\n';
  t.match(errorsOf('twice.yaml', twice), new RegExp(`twice\\.yaml:${first + 1}:\\d+: Settings\\.Edit for role ReadOnly is listed twice`));

  const [node, ...loader] = NODE_TS;
  const cli = spawnSync(node, [...loader, REHEARSE, 'check', join(dir.dir, 'twice.yaml')], { encoding: 'utf8', timeout: 60_000 });
  t.equal(cli.status, 2, 'bad input exits 2');
  t.match(cli.stderr, /twice\.yaml:\d+:\d+: Settings\.Edit for role ReadOnly is listed twice/);
});
