import t from 'tap';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { provePiiRemoved, type ProofOptions, type SanitizeProof } from '../../src/sanitize/proof.js';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors, SafetyError } from '../../src/errors.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText, PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { NO_RULES, streamingOnly } from './proof-fixtures.js';

const OPTIONS: ProofOptions = {
  safeDomain: 'rehearsal.invalid',
  productionHosts: ['mail.northwind-telecom.example'],
  productionDomains: ['Northwind-Telecom.example'],
  safeHosts: ['sql-rehearsal.corp.example'],
  allow: [],
};

const PRODUCTION_CONNECTION = 'Server=billing-db01.northwind-telecom.example,1433;Database=BillingReports;User Id=report_reader;Password=sample-only';

/** Each value must be found as `kinds`, in its own column, once. */
const FOUND: readonly { value: string; kinds: readonly string[] }[] = [
  { value: '4111.1111.1111.1111', kinds: ['card-number'] },
  { value: '5105/1051/0510/5100', kinds: ['card-number'] },
  { value: '4111  1111  1111  1111', kinds: ['card-number'] },
  { value: 'card 4111 - 1111 - 1111 - 1111 exp 12/27', kinds: ['card-number'] },
  { value: 'Amex 3782 822463 10005', kinds: ['card-number'] },
  { value: 'paid 2026-11-01 with 5105.1051.0510.5100.', kinds: ['card-number'] },
  { value: '6011\u00a00009\u00a09013\u00a09424', kinds: ['card-number'] },
  { value: '6304000000000000018', kinds: ['card-number'] },
  { value: '+44 20 7946 0958', kinds: ['phone'] },
  { value: '+49 30 9018 2233', kinds: ['phone'] },
  { value: '+442079460958', kinds: ['phone'] },
  { value: 'tel:+33 1 23 45 67 89', kinds: ['phone'] },
  { value: '(212)736-4821', kinds: ['phone'] },
  { value: '212-736-4821', kinds: ['phone'] },
  { value: '2127364821', kinds: ['phone'] },
  { value: 'call back on 12127364821 today', kinds: ['phone'] },
  { value: 'she said 2127364821', kinds: ['phone'] },
  { value: '+1 (212) 736-4821', kinds: ['phone'] },
  { value: '1-212-736-4821', kinds: ['phone'] },
  { value: 'ring (911) 831-9377', kinds: ['phone'] },
  { value: 'Server=billing-db01.northwind-telecom.example;Database=Billing;User Id=svc', kinds: ['connection-string', 'production-host'] },
  { value: 'see https://portal.NORTHWIND-TELECOM.example/admin', kinds: ['production-host'] },
  { value: 'escalate to ops.northwind-telecom.example', kinds: ['production-host'] },
  { value: 'Data Source=tcp:10.20.30.40,1433;Initial Catalog=Billing', kinds: ['connection-string'] },
  { value: 'Host=pg-prod-7;Port=5432;Database=billing', kinds: ['connection-string'] },
  { value: 'postgres://report@analytics.partner.example:5432/billing', kinds: ['connection-string', 'email'] },
  { value: 'jdbc:sqlserver://sqlprod01:1433;databaseName=Billing', kinds: ['connection-string'] },
];

/** Dates, addresses, amounts, versions, identifiers and the maskers' own output: none is a finding. */
const CLEAN: readonly string[] = [
  '2026-11-01',
  '2026-11-01T02:00:00.000Z',
  '2026-11-01T02:00:00+01:00',
  '01/11/2026 - 30/11/2026',
  '2026.11.01 2026.12.01 2027.01.01',
  '192.168.100.200 10.0.0.1 172.16.254.1',
  '10.20.30.40:1433',
  '1234.56 7890.12 3456.78 9012.34',
  'credit +1234567.89',
  '+12.50 adjustment',
  'USD 1,234,567.89',
  '7.5.0.1234',
  'release 10.4.2-rc1 build 20261101',
  '4000001234561486',
  '4000 0012 3456 1486',
  '+1 555 0142',
  '(212) 555-0142',
  '+1 555 0199 on 2026-11-01',
  'INV-2127364821',
  'Invoice #2127364821',
  'order 2127364821',
  'ORD2127364821',
  '1764547200',
  '2026110100',
  '41111111111111111111111',
  'northwind-telecom.example.com',
  'smtp.sinkhole.rehearsal.invalid',
  'Server=db.sinkhole.rehearsal.invalid;Database=Billing',
  'Server=sql-rehearsal.corp.example,1433;Database=rehearsal_1',
  'Server=localhost;Database=Scratch',
  'Data Source=(localdb)\\MSSQLLocalDB',
  'https://api.stripe.com/v1/charges',
  'x=1; y=2',
];

/** Table `found` with a column per FOUND case (3 rows, so counts are per row); table `clean` with a column per CLEAN value. */
async function proofsOf(t: { testdir(): string; teardown(fn: () => unknown): void }): Promise<SanitizeProof[]> {
  const path = join(t.testdir(), 'p.db');
  const db = new Database(path);
  for (const [table, values] of [['found', FOUND.map((c) => c.value)], ['clean', CLEAN]] as const) {
    db.exec(`CREATE TABLE ${table} (${values.map((_, i) => `c${i} TEXT`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO ${table} VALUES (${values.map(() => '?').join(', ')})`);
    for (let row = 0; row < 3; row++) insert.run(...values);
  }
  db.close();
  const engine = SqliteEngine.open(path);
  t.teardown(() => engine.close());
  return [await provePiiRemoved(engine, NO_RULES, OPTIONS), await provePiiRemoved(streamingOnly(engine), NO_RULES, OPTIONS)];
}

t.test('every separator style, phone format, production-domain host and connection string is found, per column', async (t) => {
  const [inSqlite, byStreaming] = await proofsOf(t);
  t.same(inSqlite, byStreaming, 'the SQLite pre-test lets every finding through');
  FOUND.forEach(({ kinds }, i) => {
    const got = (inSqlite?.findings ?? []).filter((f) => f.column === `found.c${i}`);
    t.same(got.map((f) => f.kind).sort(), [...kinds].sort(), `case ${i} (${kinds.join(', ')})`);
    t.ok(got.every((f) => f.count === 3), `case ${i}: counted once per row`);
  });
  t.notOk(inSqlite?.passed);
  const report = JSON.stringify(inSqlite);
  for (const { value } of FOUND) t.notOk(report.includes(value), 'the proof carries counts, never a value');
});

t.test('dates, IP addresses, amounts, versions, identifiers, test PANs and fictional phones are not findings', async (t) => {
  const [inSqlite] = await proofsOf(t);
  CLEAN.forEach((value, i) => {
    // The values are the test's own, not customer data: a failure names the rule that is too wide.
    const got = (inSqlite?.findings ?? []).filter((f) => f.column === `clean.c${i}`).map((f) => f.kind);
    t.same(got, [], `no false alarm on ${JSON.stringify(value)}`);
  });
});

t.test('sanitize.productionDomains: host names only, never overlapping the safe domain, every error at its line', async (t) => {
  const dir = makePlanDir();
  t.teardown(() => dir.cleanup());
  const withDomains = (list: string): string => validPlanText().replace('  safeDomain: rehearsal.invalid\n', `  safeDomain: rehearsal.invalid\n  productionDomains: ${list}\n`);

  const plan = loadPlan(dir.write('plan.yaml', withDomains('[Northwind-Telecom.example, corp]')));
  t.same(plan.sanitize.productionDomains, ['northwind-telecom.example', 'corp'], 'lower case, single-label domains allowed');
  t.same(loadPlan(dir.write('plan.yaml', validPlanText())).sanitize.productionDomains, [], 'optional, empty by default');

  const errorsFor = (list: string): string => {
    try {
      loadPlan(dir.write('plan.yaml', withDomains(list)));
    } catch (error) {
      if (error instanceof ConfigErrors) return error.message;
      throw error;
    }
    throw new Error('plan unexpectedly valid');
  };
  const bad = errorsFor('[https://northwind-telecom.example, "*.northwind-telecom.example", 192.0.2.10, "db01:1433", "a b"]');
  for (let i = 0; i < 5; i++) t.match(bad, new RegExp(`plan\\.yaml:20:\\d+: .*is not a domain name`), `entry ${i}`);
  t.equal(bad.match(/is not a domain name/g)?.length, 5, 'every bad entry reported at once');
  t.match(errorsFor('[invalid]'), /plan\.yaml:20:\d+: production domain invalid overlaps the safe domain rehearsal\.invalid/);
  t.match(errorsFor('[x.rehearsal.invalid]'), /overlaps the safe domain/);
  t.match(errorsFor('northwind-telecom.example'), /plan\.yaml:20:\d+: `sanitize\.productionDomains` must be an? array/);
});

t.test('the sanitize stage: a connection string the rules miss, or a phone the scrubber leaves, blocks the bill run', async (t) => {
  const shippedRules = readFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), 'utf8');
  const withoutConnectionRule = shippedRules.replace(/ {2}# The reporting database's[\s\S]*$/, '');
  t.not(withoutConnectionRule, shippedRules, 'the shipped rules mask the reporting connection string');

  const run = async (rules: string, note: string | null): Promise<{ ctx: RunContext; error: unknown }> => {
    const db = makeTinyDatabase();
    t.teardown(() => db.cleanup());
    const planDir = makePlanDir();
    t.teardown(() => planDir.cleanup());
    planDir.write('rules.yaml', rules);
    const plan = loadPlan(planDir.write('plan.yaml', validPlanText().replace('  safeDomain: rehearsal.invalid\n', '  safeDomain: rehearsal.invalid\n  productionDomains: [northwind-telecom.example]\n')));
    const engine = SqliteEngine.open(db.path);
    t.teardown(() => engine.close());
    await writeRunMarker(engine, { runId: 'formats', createdAt: 'now', source: 'tiny' });
    engine.connection.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('reporting.connection', PRODUCTION_CONNECTION);
    engine.connection.prepare('UPDATE accounts SET notes = ? WHERE id = 2').run(note);
    const ctx: RunContext = {
      plan,
      run: { runId: 'formats', dir: db.dir, workDir: db.dir, state: { runId: 'formats', planFile: 'p', createdAt: '', ownerPid: process.pid }, save() {} },
      progress: silentProgress,
      engine,
      checks: [],
    };
    const error = await sanitize(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { ctx, error };
  };

  const shipped = await run(shippedRules, null);
  t.equal(shipped.error, undefined, 'the shipped rules mask it: the proof passes');
  t.equal(shipped.ctx.run.state.sanitizeProofPassed, true);

  const missed = await run(withoutConnectionRule, null);
  t.type(missed.error, SafetyError);
  t.not(missed.ctx.run.state.sanitizeProofPassed, true, 'the bill run gate stays closed');
  const check = missed.ctx.checks.find((c) => c.id === 'sanitize-proof');
  t.equal(check?.status, 'failed');
  t.match(check?.summary, /connection-string in settings\.value \(1 rows\)/);
  t.match(check?.summary, /production-host in settings\.value \(1 rows\)/);
  t.notMatch(JSON.stringify(missed.ctx.checks), /billing-db01/, 'the report names the column, never the value');

  const note = await run(shippedRules, 'Travelling: reach her on +44 20 7946 0958 until the 14th.');
  t.type(note.error, SafetyError, 'the free-text scrubber leaves an international number; the proof does not');
  t.match(note.ctx.checks.find((c) => c.id === 'sanitize-proof')?.summary, /phone in accounts\.notes \(1 rows\)/);
});
