import t from 'tap';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors, SafetyError } from '../../src/errors.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import type { RunFolder } from '../../src/run/run-folder.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { readColumn as read, makeTinyDatabase, contentHash } from '../helpers/tiny-db.js';

const RUN_ID = 'test-run-1';

function fakeRun(dir: string): RunFolder {
  return { runId: RUN_ID, dir, workDir: dir, state: { runId: RUN_ID, planFile: 'p', createdAt: '', ownerPid: process.pid }, save() {} };
}

async function contextFor(t: { teardown(fn: () => unknown): void }, options: { rules?: string; marker?: string | null; secret?: string } = {}) {
  const db = makeTinyDatabase();
  t.teardown(() => db.cleanup());
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  if (options.rules !== undefined) planDir.write('rules.yaml', options.rules);
  const plan = loadPlan(planDir.write('plan.yaml', validPlanText()));
  const engine = SqliteEngine.open(db.path);
  t.teardown(() => engine.close());
  if (options.marker !== null) await writeRunMarker(engine, { runId: options.marker ?? RUN_ID, createdAt: 'now', source: 'tiny' });
  if (options.secret !== undefined) process.env.REHEARSAL_SANITIZE_SECRET = options.secret;
  else delete process.env.REHEARSAL_SANITIZE_SECRET;
  const ctx: RunContext = { plan, run: fakeRun(db.dir), progress: silentProgress, engine, checks: [] };
  return { ctx, path: db.path, engine };
}

t.test('the shipped rule set masks the tiny database and the proof passes', async (t) => {
  const { ctx, path } = await contextFor(t, { secret: 's1' });
  await sanitize(ctx);
  const emails = read(path, 'SELECT email FROM contacts ORDER BY id') as string[];
  for (const e of emails) t.match(e, /@rehearsal\.invalid$/);
  t.same(read(path, "SELECT value FROM settings WHERE key = 'smtp.host'"), ['smtp.sinkhole.rehearsal.invalid']);
  t.same(read(path, "SELECT value FROM settings WHERE key = 'gateway.stripe.api_key'"), ['rehearsal-test-key']);
  t.same(read(path, 'SELECT card_token FROM payment_methods'), [null]);
  const [pan] = read(path, 'SELECT card_number FROM payment_methods') as string[];
  t.match(pan, /^400000\d{6}1486$/, 'card number becomes a test PAN keeping the last four');
  t.equal(ctx.run.state.sanitizeProofPassed, true);
  t.equal(ctx.checks.find((c) => c.id === 'sanitize-proof')?.status, 'warning', 'unruled sensitive columns are reported');
});

t.test('the same e-mail is masked identically in every table; another secret gives other values', async (t) => {
  const first = await contextFor(t, { secret: 'secret-one' });
  await sanitize(first.ctx);
  const [contact] = read(first.path, 'SELECT email FROM contacts WHERE account_id = 1') as string[];
  const [staff] = read(first.path, 'SELECT email FROM staff_users') as string[];
  t.equal(contact, staff);
  const [alan] = read(first.path, 'SELECT email FROM contacts WHERE account_id = 2') as string[];
  t.same(read(first.path, "SELECT message FROM event_log WHERE module = 'Email'"), [`sent to ${alan}`], 'an address inside free text masks like the same address in contacts');
  t.same(read(first.path, 'SELECT count(*) FROM sqlite_schema WHERE name LIKE \'\\_rehearsal\\_fake\\_%\' ESCAPE \'\\\''), [0], 'the fake-value tables are gone');
  t.ok(first.ctx.sanitize?.tables.every((table) => table.rowsPerSecond >= 0), 'rows per second per table in the report');
  const second = await contextFor(t, { secret: 'secret-two' });
  await sanitize(second.ctx);
  const [other] = read(second.path, 'SELECT email FROM contacts WHERE account_id = 1') as string[];
  t.not(other, contact);
  const third = await contextFor(t, { secret: 'secret-one' });
  await sanitize(third.ctx);
  t.same(read(third.path, 'SELECT email FROM contacts WHERE account_id = 1'), [contact], 'same secret, same output');
});

t.test('an e-mail planted in a column no rule names is found by the proof and blocks the bill run', async (t) => {
  const { ctx, path, engine } = await contextFor(t);
  engine.connection.prepare("UPDATE owners SET name = 'Escalations: cfo@northwind-telecom.example'").run();
  await t.rejects(sanitize(ctx), SafetyError);
  t.not(ctx.run.state.sanitizeProofPassed, true, 'the bill run gate stays closed');
  const check = ctx.checks.find((c) => c.id === 'sanitize-proof');
  t.equal(check?.status, 'failed');
  t.match(check?.summary, /email in owners\.name \(1 rows\)/);
  t.notMatch(JSON.stringify(ctx.checks), /cfo@northwind/, 'the report names the column, never the value');
  t.match(read(path, 'SELECT name FROM owners')[0], /cfo@northwind/, 'the finding is real: the value is still there');
});

t.test('a column the plan allows with a reason does not block', async (t) => {
  const { ctx, engine } = await contextFor(t);
  engine.connection.prepare("UPDATE owners SET name = 'Escalations: cfo@northwind-telecom.example'").run();
  const plan = { ...ctx.plan, sanitize: { ...ctx.plan.sanitize, allow: [{ column: 'owners.name', reason: 'reseller names are public company names' }] } };
  await sanitize({ ...ctx, plan });
  t.equal(ctx.run.state.sanitizeProofPassed, true);
});

const badRules: [string, string, RegExp][] = [
  ['unknown table', 'version: 1\nrules:\n  - table: customers\n    columns: { email: email }\n', /rules\.yaml:3:12: unknown table `customers`/],
  ['unknown column', 'version: 1\nrules:\n  - table: contacts\n    columns: { mail: email }\n', /rules\.yaml:4:\d+: unknown column `contacts\.mail`/],
  ['unknown strategy', 'version: 1\nrules:\n  - table: contacts\n    columns:\n      email: scramble\n', /rules\.yaml:5:14: unknown strategy `scramble`/],
  ['strategy that does not fit the type', 'version: 1\nrules:\n  - table: accounts\n    columns:\n      balance_cents: email\n', /rules\.yaml:5:22: strategy `email` writes text but accounts\.balance_cents is integer/],
  ['duplicate rule', 'version: 1\nrules:\n  - table: contacts\n    columns: { email: email }\n  - table: contacts\n    columns: { email: phone }\n', /rules\.yaml:6:\d+: duplicate rule: contacts\.email/],
];

for (const [name, rules, expected] of badRules) {
  t.test(`bad rules fail before any write: ${name}`, async (t) => {
    const { ctx, path } = await contextFor(t, { rules });
    const before = contentHash(path);
    const error = await sanitize(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(error, ConfigErrors);
    t.match((error as Error).message, expected);
    t.equal(contentHash(path), before, 'database unchanged');
  });
}

t.test('hostile values in rules end up as parameters, not SQL', async (t) => {
  const hostile = `x'); DROP TABLE accounts; --\u202e${'ü'.repeat(10_000)}`;
  const rules = `version: 1\nrules:\n  - table: settings\n    where: { key: ${JSON.stringify(hostile)} }\n    columns:\n      value: { constant: ${JSON.stringify(hostile)} }\n`;
  const { ctx, path } = await contextFor(t, { rules });
  await sanitize(ctx).catch(() => undefined);
  t.same(read(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'accounts'"), [1], 'accounts table still exists');
  t.same(read(path, 'SELECT count(*) FROM accounts'), [2]);
});

t.test('refuses to sanitize a database without this run\'s marker', async (t) => {
  const unmarked = await contextFor(t, { marker: null });
  const before = contentHash(unmarked.path);
  await t.rejects(sanitize(unmarked.ctx), { message: /carries no rehearsal run marker/ });
  t.equal(contentHash(unmarked.path), before);
  const other = await contextFor(t, { marker: 'someone-elses-run' });
  await t.rejects(sanitize(other.ctx), { message: /belongs to rehearsal run someone-elses-run/ });
});

t.test('re-running the rules on an already sanitized copy is safe', async (t) => {
  const { ctx, path } = await contextFor(t, { secret: 'again' });
  await sanitize(ctx);
  await sanitize(ctx);
  t.equal(ctx.run.state.sanitizeProofPassed, true);
  t.same(read(path, 'SELECT count(*) FROM contacts'), [2]);
});
