import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { Profile } from '../../src/platform/profile.js';
import { dryRunProfile } from '../../src/platform/dry-run.js';
import { createDriver } from '../../src/platform/drivers/create-driver.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { ConfigError, ConfigErrors, UserError } from '../../src/errors.js';
import type { DriverContext } from '../../src/billrun/driver.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { rehearseHere } from '../helpers/cli-in-process.js';
import { makePlanDir, PROJECT_ROOT, validPlanText } from '../helpers/plan-fixture.js';
import { loadPlan } from '../../src/plan/load.js';

/** The sample's adapter with a declared driver instead of its module, so a copy stands alone in a test folder. */
const SAMPLE = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8')
  .replace(/driver:\n {2}kind: module\n {2}module: \.\/driver\.ts\n/, `driver:\n  kind: commands\n  begin: { run: "true" }\n  status: { run: "echo '{\\"state\\":\\"completed\\"}'" }\n`)
  .replace(/generator: \{[^}]*\}\n/, '');

function adapterDir(t: Test, text: string): string {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'adapter.yaml'), text);
  return dir;
}

function configErrors(t: Test, load: () => unknown): string {
  try {
    load();
  } catch (error) {
    t.ok(error instanceof ConfigErrors, 'a config error (exit 2)');
    t.equal((error as UserError).exitCode, 2);
    return (error as Error).message;
  }
  t.fail('expected the adapter to be refused');
  return '';
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

t.test('the sample adapter itself is valid', async (t) => {
  t.doesNotThrow(() => loadAdapter(adapterDir(t, SAMPLE)));
});

t.test('1. a YAML syntax error names file:line:column', async (t) => {
  const text = SAMPLE.replace('status: stand-in', 'status: [stand-in');
  const dir = adapterDir(t, text);
  t.match(configErrors(t, () => loadAdapter(dir)), new RegExp(`adapter\\.yaml:\\d+:\\d+: YAML syntax error`));
});

t.test('2. an unknown concept is named with its line and the known ones', async (t) => {
  const text = SAMPLE.replace('  roles: |', '  staffRoles: |');
  const message = configErrors(t, () => loadAdapter(adapterDir(t, text)));
  t.match(message, `adapter.yaml:${lineOf(text, '  staffRoles:')}:`);
  t.match(message, 'unknown concept `staffRoles`; the product reads these: billRuns');
});

t.test('3. a parameter the concept does not take points at itself', async (t) => {
  const text = SAMPLE.replace('WHERE i.bill_date = :billDate\n\n  processorsToCharge', 'WHERE i.bill_date = :invoiceDate\n\n  processorsToCharge');
  const message = configErrors(t, () => loadAdapter(adapterDir(t, text)));
  const line = lineOf(text, ':invoiceDate');
  const column = (text.split('\n')[line - 1] ?? '').indexOf(':invoiceDate') + 1;
  t.match(message, `adapter.yaml:${line}:${column}: concept \`billedInvoices\` has no parameter \`:invoiceDate\`; it takes :billDate`);
});

t.test('4. a query with its own ORDER BY is refused (the product orders and narrows)', async (t) => {
  const text = SAMPLE.replace('SELECT name AS role FROM roles', 'SELECT name AS role FROM roles ORDER BY name');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, text))), `:${lineOf(text, 'ORDER BY name')}:`);
});

t.test('5. an engine the adapter lists needs a query in its dialect', async (t) => {
  const text = SAMPLE.replace(/ {2}accountFeatures:\n {4}sqlite: \|\n([\s\S]*?) {4}tsql: \|\n[\s\S]*?\n\n {2}eventLog/, '  accountFeatures:\n    sqlite: |\n$1\n  eventLog');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, text))), 'concept `accountFeatures` has no `tsql` query, but the adapter lists engine mssql');
});

t.test('6. a driver module that is not there', async (t) => {
  const text = SAMPLE.replace(/driver:\n {2}kind: commands\n.*\n.*\n/, 'driver:\n  kind: module\n  module: ./nowhere.ts\n');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, text))), /adapter\.yaml:\d+:\d+: driver module .*nowhere\.ts does not exist/);
});

t.test('7. an unknown key in the driver block', async (t) => {
  const text = SAMPLE.replace('  begin: { run: "true" }', '  begin: { run: "true" }\n  restart: { run: "true" }');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, text))), `:${lineOf(text, 'restart:')}:3: unknown key \`driver.restart\``);
});

t.test('8. a sql driver given commands, and a commands driver without status', async (t) => {
  const sqlKind = SAMPLE.replace('  kind: commands', '  kind: sql');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, sqlKind))), 'a `sql` driver requests and polls through the database: write `sql:`, not `run:`');
  const noStatus = SAMPLE.replace(/ {2}status: \{ run: .*\}\n/, '');
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, noStatus))), 'a `commands` driver needs `driver.status`');
});

t.test('9. an outbound pattern that is not a regular expression, or captures no account', async (t) => {
  const broken = SAMPLE.replace("'\\baccount=([A-Za-z0-9][A-Za-z0-9_-]*)'", "'account=(['");
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, broken))), 'not a regular expression');
  const noGroup = SAMPLE.replace("'\\baccount=([A-Za-z0-9][A-Za-z0-9_-]*)'", "'account=\\w+'");
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, noGroup))), 'needs exactly 1 capture group(s) (the account number), has 0');
});

t.test('9b. an amount pattern without its one group (or its named amount and currency), or one that can backtrack for ever, is refused at its line', async (t) => {
  const pattern = "  amountPattern: 'Amount due: (?<amount>-?[0-9][0-9,]*\\.[0-9]{2}) (?<currency>[A-Z]{3})'";
  t.ok(SAMPLE.includes(pattern), 'the sample declares one');
  for (const [written, says] of [
    ["'Amount due: [0-9.,]+'", 'needs exactly 1 capture group(s) (the amount due'],
    ["'Amount (due): ([0-9.,]+)'", 'has 2'],
    ["'Amount due: ([0-9.,]+) (?<currency>[A-Z]{3})'", 'names both its groups: `(?<amount>…)` for the amount'],
    ["'Amount due: (?<amount>[0-9.,]+)( EUR)? (?<currency>[A-Z]{3})'", 'needs exactly 2 capture group(s) (named `amount` and `currency`'],
    ["'Amount due: (([0-9]+)*)'", 'repeats a group that itself repeats'],
    ["'Amount due: ([0-9'", 'not a regular expression'],
  ] as const) {
    const text = SAMPLE.replace(pattern, `  amountPattern: ${written}`);
    const message = configErrors(t, () => loadAdapter(adapterDir(t, text)));
    t.match(message, says, written);
    t.match(message, `:${lineOf(text, 'amountPattern:')}:`, `${written}: the line is named`);
  }
});

t.test('10. the dry run names the concept, the adapter line and the missing column', async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const text = SAMPLE.replace('SELECT name AS role FROM roles', 'SELECT role_name AS role FROM roles');
  const adapter = loadAdapter(adapterDir(t, text));
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  t.teardown(() => engine.close());
  const error = await dryRunProfile(engine, new Profile(adapter)).catch((e: unknown) => e);
  t.ok(error instanceof ConfigErrors);
  const line = lineOf(text, 'role_name AS role');
  t.match((error as Error).message, `adapter.yaml:${line}:${(text.split('\n')[line - 1] ?? '').indexOf('role_name') + 1}: concept \`roles\` does not run on the restored copy`);
  t.match((error as Error).message, 'no such column: role_name');
});

t.test('11. the dry run refuses a query with a syntax error, and one that lacks a contract column', async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  t.teardown(() => engine.close());
  const syntax = loadAdapter(adapterDir(t, SAMPLE.replace('SELECT name AS role FROM roles', 'SELECT name AS role FORM roles')));
  t.match(String(await dryRunProfile(engine, new Profile(syntax)).catch((e: unknown) => e)), /concept `roles` does not run on the restored copy.*syntax error/);
  const column = loadAdapter(adapterDir(t, SAMPLE.replace('SELECT name AS role FROM roles', 'SELECT name AS role_name FROM roles')));
  t.match(String(await dryRunProfile(engine, new Profile(column)).catch((e: unknown) => e)), "concept `roles` does not run on the restored copy (SQLite database");
  t.match(String(await dryRunProfile(engine, new Profile(column)).catch((e: unknown) => e)), 'it returns no column `role`');
  t.equal(await dryRunProfile(engine, new Profile(loadAdapter(adapterDir(t, SAMPLE)))), 31, "every one of the sample's queries compiles against the sample schema");
});

function context(t: Test): DriverContext {
  const dir = t.testdir({});
  return { namespace: { name: 'none', execPrefix: [] }, database: { kind: 'sqlite', path: join(dir, 'none.db') }, workDir: dir, adapterDir: dir, release: 'candidate', version: '1', switches: [], env: {}, onSpawn: () => undefined };
}

t.test('12. a driver step that outlives its timeout is killed with its children, and says which step', async (t) => {
  const ctx = context(t);
  const pidFile = join(ctx.workDir, 'step.pid');
  const text = SAMPLE.replace('  begin: { run: "true" }', `  begin: { run: "echo $$ > ${pidFile}; sleep 30", timeoutSeconds: 0.5 }`);
  const driver = await createDriver(loadAdapter(adapterDir(t, text)), ctx, () => Promise.reject(new Error('no database')));
  const error = await driver.beginBillRun().catch((e: unknown) => e);
  t.ok(error instanceof UserError);
  t.equal((error as UserError).exitCode, 1);
  t.match((error as Error).message, "The driver's `begin` step did not finish within 0.5 s and was stopped");
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.throws(() => process.kill(pid, 0), 'the step\'s shell is gone: nothing left behind');
});

t.test('13. a status that is not JSON, or a state no driver knows, is a clear error', async (t) => {
  const notJson = SAMPLE.replace(/ {2}status: \{ run: .*\}\n/, '  status: { run: "echo busy" }\n');
  const driver = await createDriver(loadAdapter(adapterDir(t, notJson)), context(t), () => Promise.reject(new Error('no database')));
  t.match(String(await driver.status().catch((e: unknown) => e)), "The driver's `status` step did not print JSON (`echo busy`): busy");
  const fine = await createDriver(loadAdapter(adapterDir(t, SAMPLE)), context(t), () => Promise.reject(new Error('no database')));
  t.same(await fine.status(), { state: 'completed', processed: 0, total: 0 }, 'JSON on the last line is the status');
  const oddState = SAMPLE.replace(/ {2}status: \{ run: .*\}\n/, `  status: { run: "echo '{\\"state\\":\\"billing\\"}'" }\n`);
  const other = await createDriver(loadAdapter(adapterDir(t, oddState)), context(t), () => Promise.reject(new Error('no database')));
  t.match(String(await other.status().catch((e: unknown) => e)), 'gave state `billing`; expected one of idle, configured, running, completed, failed');
});

t.test('14. a sql driver polls a request table: a status that never completes stays running', async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const setup = SqliteEngine.open(tiny.path);
  await setup.connection.exec("CREATE TABLE BillRunRequest (BillDate TEXT, State TEXT, Processed INTEGER, Total INTEGER)");
  await setup.close();
  const text = SAMPLE.replace(
    /driver:\n {2}kind: commands\n.*\n.*\n/,
    "driver:\n  kind: sql\n  begin: { sql: \"INSERT INTO BillRunRequest VALUES (:billDate, 'running', 0, 2)\" }\n  status: { sql: 'SELECT State AS state, Processed AS processed, Total AS total FROM BillRunRequest WHERE BillDate = :billDate' }\n",
  );
  const driver = await createDriver(loadAdapter(adapterDir(t, text)), context(t), async () => SqliteEngine.open(tiny.path));
  await driver.configure({ billDate: '2026-11-01', emailInvoices: true, chargeAutoPay: true, provision: true, settings: {} });
  t.same(await driver.status(), { state: 'idle', processed: 0, total: 0 }, 'no request yet');
  await driver.beginBillRun();
  t.same(await driver.status(), { state: 'running', processed: 0, total: 2 }, 'the bill date reached the database as a parameter');
  await driver.stop();
});

t.test('15. an ssm driver is refused on the local target with what to do', async (t) => {
  const text = SAMPLE.replace('  kind: commands', '  kind: ssm');
  const error = await createDriver(loadAdapter(adapterDir(t, text)), context(t), () => Promise.reject(new Error('no database'))).catch((e: unknown) => e);
  t.match(String(error), 'runs only on the AWS target');
});

t.test('16. `rehearse adapter check` exits 2 on a malformed adapter and 0 on a valid one, creating nothing', async (t) => {
  const bad = adapterDir(t, SAMPLE.replace('  roles: |', '  staffRoles: |'));
  const before = readdirSync(bad);
  const refused = await rehearseHere(['adapter', 'check', bad]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, 'unknown concept `staffRoles`');
  t.same(readdirSync(bad), before, 'nothing created beside the adapter');
  const missing = await rehearseHere(['adapter', 'check', join(bad, 'nowhere')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, 'There is no platform adapter at');
  const good = await rehearseHere(['adapter', 'check', join(PROJECT_ROOT, 'platforms/sample')]);
  t.equal(good.code, 0, good.stderr);
  t.match(good.stdout, 'valid (sample, stand-in, driver module)');
  t.notOk(existsSync(join(bad, 'reports')));
});

t.test('17. a plan naming an adapter that is not there, a release it lacks, or a switch it does not declare: exit 2', async (t) => {
  const plans = makePlanDir();
  t.teardown(() => plans.cleanup());
  const refuse = (text: string): string => {
    try {
      loadPlan(plans.write('plan.yaml', text));
    } catch (error) {
      t.equal((error as UserError).exitCode, 2);
      return (error as Error).message;
    }
    t.fail('expected the plan to be refused');
    return '';
  };
  t.match(refuse(validPlanText().replace('kind: sample', 'kind: nowhere')), /There is no platform adapter at .*platforms\/nowhere/);
  t.match(refuse(validPlanText().replace('release: candidate', 'release: beta')), /plan\.yaml:\d+:\d+: release `beta` is not one of .*adapter\.yaml's releases: production, candidate/);
  t.match(refuse(validPlanText().replace('faults: []', 'faults: [free-lunch]')), 'unknown fault switch `free-lunch`; expected one of: yearly-next-bill-date-not-advanced');
  t.match(refuse(validPlanText().replace('kind: sample', `adapter: ${adapterDir(t, SAMPLE.replace('  roles: |', '  staffRoles: |'))}`)), 'unknown concept `staffRoles`');
  t.match(refuse(validPlanText().replace('kind: sample', 'kind: sample\n  adapter: ../platforms/sample')), 'name the platform with `adapter: <folder>` (its adapter.yaml) or `kind: <name>`');
  const plan = loadPlan(plans.write('plan.yaml', validPlanText().replace('kind: sample', `adapter: ${join(PROJECT_ROOT, 'platforms/sample')}`)));
  t.equal(plan.platform.adapter.name, 'sample', '`platform.adapter` names the same adapter `kind: sample` does');
});

t.test('18. eventLog.externalWarnings: an entry without its reason, an unknown key, or a kind listed twice is named with its line', async (t) => {
  const entry = '    - module: Email\n      action: Send\n      reason: the mail server refuses or cannot be reached\n';
  t.ok(SAMPLE.includes(entry), 'the sample declares Email/Send');
  const noReason = SAMPLE.replace(entry, '    - module: Email\n      action: Send\n');
  const missing = configErrors(t, () => loadAdapter(adapterDir(t, noReason)));
  t.match(missing, `adapter.yaml:${lineOf(noReason, '    - module: Email')}:`);
  t.match(missing, 'reason');

  const misspelt = SAMPLE.replace(entry, '    - module: Email\n      acton: Send\n      reason: refused\n');
  const unknown = configErrors(t, () => loadAdapter(adapterDir(t, misspelt)));
  t.match(unknown, `adapter.yaml:${lineOf(misspelt, 'acton')}:`);
  t.match(unknown, 'acton');

  const twice = SAMPLE.replace('    - module: Provisioning\n', '    - { module: Email, action: Send, reason: again }\n    - module: Provisioning\n');
  const duplicate = configErrors(t, () => loadAdapter(adapterDir(t, twice)));
  t.match(duplicate, `adapter.yaml:${lineOf(twice, 'reason: again')}:`);
  t.match(duplicate, 'warning kind Email/Send is listed twice');

  t.same(loadAdapter(adapterDir(t, SAMPLE)).externalWarnings.map((w) => `${w.module}/${w.action}`), ['Payments/Charge', 'Email/Send', 'Provisioning/Activate']);
});

t.test('19. eventLog.externalWarnings messages: a pattern that does not compile, is empty, matches an empty message, nests repetition, is too long or is not a string, or an empty list, is named at file:line:column', async (t) => {
  const first = "        - '^INV-\\d{4}-\\d{2}-\\d{2}-[A-Za-z0-9][A-Za-z0-9_-]*: [A-Z][A-Z0-9_]+: '";
  t.ok(SAMPLE.includes(first), 'the sample lists the mail server\'s messages');
  /** The error for the sample with Email/Send's first pattern replaced by `item` (a YAML list item's value), at its line and column. */
  const refused = (item: string): { message: string; at: string } => {
    const text = SAMPLE.replace(first, `        - ${item}`);
    const line = lineOf(text, `        - ${item}`);
    return { message: configErrors(t, () => loadAdapter(adapterDir(t, text))), at: `adapter.yaml:${line}:11:` };
  };

  const unclosed = refused("'^INV-(\\S+: ECONNREFUSED'");
  t.match(unclosed.message, `${unclosed.at} a message of Email/Send is not a regular expression: Invalid regular expression`);
  t.match(unclosed.message, 'Unterminated group');
  const quantifier = refused("'*: refused'");
  t.match(quantifier.message, `${quantifier.at} a message of Email/Send is not a regular expression`);
  const everything = refused("'.*'");
  t.match(everything.message, `${everything.at} the message pattern ".*" of Email/Send matches an empty message, so it would let every message of the kind through`);
  t.match(everything.message, 'leave `messages` out');
  t.match(refused("'(?:)'").message, 'matches an empty message');
  t.match(refused("'x?'").message, 'matches an empty message');
  const nested = refused("'^INV-(\\w+\\s?)*: refused'");
  t.match(nested.message, `${nested.at} the message pattern "^INV-(\\\\w+\\\\s?)*: refused" of Email/Send repeats a group that itself repeats (like \`(a+)+\`), which can take exponential time`);
  const empty = refused("''");
  t.match(empty.message, empty.at);
  t.match(empty.message, 'must have at least 1 character');
  const long = refused(`'${'a'.repeat(501)}'`);
  t.match(long.message, long.at);
  const number = refused('42');
  t.match(number.message, number.at);
  t.match(number.message, 'string');
  const object = refused('{ pattern: x }');
  t.match(object.message, object.at);

  const noList = SAMPLE.replace(/(reason: the mail server refuses or cannot be reached\n {6}messages:\n)(?: {8}.*\n)+/, 'reason: the mail server refuses or cannot be reached\n      messages: []\n');
  t.not(noList, SAMPLE);
  t.match(configErrors(t, () => loadAdapter(adapterDir(t, noList))), `adapter.yaml:${lineOf(noList, 'messages: []')}:`);

  const two = SAMPLE.replace(first, "        - '(a'\n        - '.*'");
  const both = configErrors(t, () => loadAdapter(adapterDir(t, two)));
  t.match(both, `adapter.yaml:${lineOf(two, "'(a'")}:11:`, 'every problem at once');
  t.match(both, `adapter.yaml:${lineOf(two, "'.*'")}:11:`);

  const kinds = loadAdapter(adapterDir(t, SAMPLE)).externalWarnings;
  t.ok(kinds.every((k) => (k.messages ?? []).length > 0), 'the sample lists messages for every kind it declares');
  const withoutMessages = SAMPLE.replace(/( {6}reason: the mail server refuses or cannot be reached\n) {6}messages:\n(?: {8}.*\n)+/, '$1');
  t.equal(loadAdapter(adapterDir(t, withoutMessages)).externalWarnings.find((k) => k.module === 'Email')?.messages, undefined, 'messages are optional');
});

t.test('20. a value a numeric column cannot hold (a text or GUID key, empty, binary, huge) stops the read at the adapter line, naming value and column; a number written as text still reads', async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  t.teardown(() => engine.close());
  const original = 'SELECT c.id AS contact_id';
  const keyedBy = (expression: string): { text: string; profile: Profile } => {
    const text = SAMPLE.replace(original, `SELECT ${expression} AS contact_id`);
    return { text, profile: new Profile(loadAdapter(adapterDir(t, text))) };
  };
  const hostile: [string, string][] = [
    ["'C-' || c.id", '"C-1"'],
    ["'6f1c2a9e-3b7d-4c1a-9f2e-' || printf('%012d', c.id)", '"6f1c2a9e-3b7d-4c1a-9f2e-000000000001"'],
    ["''", '""'],
    ['randomblob(16)', '16 bytes of binary'],
    ["'x' || printf('%.100000c', 'é')", '"xééééé'],
  ];
  for (const [expression, shown] of hostile) {
    const { text, profile } = keyedBy(expression);
    const line = lineOf(text, `${expression} AS contact_id`);
    const column = (text.split('\n')[line - 1] ?? '').indexOf('contact_id') + 1;
    for (const [how, read] of [
      ['streamed', async () => { for await (const row of profile.stream(engine, 'contactEmails', {})) void row; }],
      ['queried', async () => profile.query(engine, 'contactEmails', {})],
    ] as const) {
      const error = await read().then(() => undefined, (e: unknown) => e);
      t.ok(error instanceof ConfigError, `${expression}, ${how}: a config error (exit 2, no stack)`);
      const message = String((error as Error | undefined)?.message);
      t.match(message, `adapter.yaml:${line}:${column}: concept \`contactEmails\` returned ${shown}`, `${expression}, ${how}: file:line:column and the value`);
      t.match(message, 'in column `contact_id`, which the concept\'s contract says is an integer');
      t.match(message, 'ROW_NUMBER() OVER (ORDER BY <key>)', 'says what to do');
      t.ok(message.length < 700, `${expression}, ${how}: a huge value is cut short in the message`);
    }
  }
  const money = SAMPLE.replace('i.total_cents / 100.0 AS total\n    FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.bill_date = :billDate', "'n/a' AS total\n    FROM (SELECT 'INV-1' AS invoice_number) i, accounts a WHERE :billDate IS NOT NULL");
  t.not(money, SAMPLE, 'the money fixture replaced the query');
  const amount = await new Profile(loadAdapter(adapterDir(t, money))).query(engine, 'billedInvoices', { billDate: '2026-11-01' }).catch((e: unknown) => e);
  t.match(String(amount), `adapter.yaml:${lineOf(money, "'n/a' AS total")}:`);
  t.match(String(amount), 'concept `billedInvoices` returned "n/a" in column `total`, which the concept\'s contract says is a number (money). Convert it in the query');
  const numeric = keyedBy("CAST(c.id AS TEXT)").profile;
  t.same((await numeric.query(engine, 'contactEmails', {})).map((r) => r.contact_id), [1, 2], 'a number written as text is read as that number');
});
