import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors, UserError } from '../../src/errors.js';
import { DEFAULT_BATCH_ROWS } from '../../src/sanitize/batches.js';
import { makePlanDir, mssqlPlanText, validPlanText, PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

function errorsFor(text: string): string {
  const file = dir.write('plan.yaml', text);
  try {
    loadPlan(file);
  } catch (error) {
    if (error instanceof ConfigErrors || error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

t.test('the valid fixture loads with defaults filled in and paths resolved', async (t) => {
  const plan = loadPlan(dir.write('plan.yaml', validPlanText()));
  t.same(plan.snapshot, { kind: 'sqlite-file', path: join(dir.dir, 'snapshot.db') });
  t.equal(plan.billRun.configuration.emailInvoices, true);
  t.equal(plan.sanitize.secretEnv, 'REHEARSAL_SANITIZE_SECRET');
  t.equal(plan.report.dir, join(dir.dir, 'reports'));
});

t.test('a YAML syntax error names file, line and column', async (t) => {
  const text = validPlanText().replace('  timeoutSeconds: 120', '  timeoutSeconds: [120');
  const message = errorsFor(text);
  t.match(message, new RegExp(`${dir.dir}/plan.yaml:\\d+:\\d+: YAML syntax error`));
});

t.test('a missing required field is named with its position', async (t) => {
  const message = errorsFor(validPlanText().replace('  date: 2026-11-01\n', ''));
  t.match(message, /plan\.yaml:15:3: missing required field `billRun\.date`/);
});

t.test('a wrong type says what was expected and what was found', async (t) => {
  const message = errorsFor(validPlanText().replace('timeoutSeconds: 120', 'timeoutSeconds: soon'));
  t.match(message, /plan\.yaml:16:19: `billRun\.timeoutSeconds` must be an integer, got string "soon"/);
});

t.test('an unknown key points at the key and lists the allowed ones', async (t) => {
  const message = errorsFor(validPlanText().replace('  timeoutSeconds: 120', '  timeoutSecs: 120'));
  t.match(message, /plan\.yaml:16:3: unknown key `billRun\.timeoutSecs`; expected one of: date, timeoutSeconds, configuration/);
});

t.test('a snapshot that does not exist is reported at its path line', async (t) => {
  const message = errorsFor(validPlanText({ snapshot: 'missing/backup.db' }));
  t.match(message, new RegExp(`plan\\.yaml:11:9: snapshot ${dir.dir}/missing/backup\\.db does not exist`));
});

t.test('a negative account count is refused', async (t) => {
  const message = errorsFor(validPlanText().replace('snapshot:\n', 'sample: { accounts: -5, seed: 1 }\nsnapshot:\n'));
  t.match(message, /plan\.yaml:10:21: `sample\.accounts` must be >= 1/);
});

t.test('every problem is reported at once, not one per attempt', async (t) => {
  const message = errorsFor(validPlanText({ snapshot: 'nope.db' }).replace('date: 2026-11-01', 'date: 2026-02-30'));
  t.match(message, /not a calendar date/);
  t.match(message, /nope\.db does not exist/);
});

t.test('unknown fault switches and hostile values are refused with positions', async (t) => {
  const message = errorsFor(validPlanText().replace('faults: []', "faults: [\"x'; DROP TABLE accounts;--\"]"));
  t.match(message, /plan\.yaml:9:12: `platform\.faults\.0` has an invalid format/);
  const huge = 'a'.repeat(10_000);
  const long = errorsFor(validPlanText().replace('id: rc-test-1', `id: ${huge}`));
  t.match(long, /`releaseCandidate\.id` must have at most 128 characters/);
  t.ok(long.length < 2_000, 'the message does not echo the huge value');
});

t.test('an empty or missing plan file is a clear error', async (t) => {
  t.match(errorsFor(''), /plan\.yaml:1:1: the plan is empty/);
  t.throws(() => loadPlan(join(dir.dir, 'nowhere.yaml')), { message: /Cannot read the plan .*nowhere\.yaml: the file does not exist/ });
});

t.test('the CLI exits 2 on a bad plan, prints file:line:column, and creates nothing', async (t) => {
  const file = dir.write('bad.yaml', validPlanText().replace('target: local', 'target: moon'));
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, 'all', file], { cwd: dir.dir, encoding: 'utf8' });
  t.equal(result.status, 2);
  t.match(result.stderr, /bad\.yaml:5:9: `target` must be one of: local, aws/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace for an expected failure');
  t.notOk(existsSync(join(dir.dir, 'reports')), 'no run folder was created');
});

t.test('SQL Server plans: each snapshot source loads as what the restore stage dispatches on', async (t) => {
  const load = (text: string) => loadPlan(dir.write('mssql.yaml', text));
  t.same(load(mssqlPlanText('backupFile: /var/opt/mssql/backup/billing.bak')).snapshot, { kind: 'mssql-backup-file', backupFile: '/var/opt/mssql/backup/billing.bak' });
  t.same(load(mssqlPlanText('s3Arn: arn:aws:s3:::northwind-backups/billing.bak')).snapshot, { kind: 'rds-s3-backup', s3Arn: 'arn:aws:s3:::northwind-backups/billing.bak' });
  const attached = load(mssqlPlanText('database: EngageIP'));
  t.same(attached.snapshot, { kind: 'mssql-database', database: 'EngageIP' });
  t.same(attached.productionResult, { kind: 'mssql-database', database: 'billing_after_run' });
  for (const shipped of ['plans/example-mssql.yaml', 'plans/rc-2026-12-1.aws.yaml']) {
    t.equal(loadPlan(join(PROJECT_ROOT, shipped)).database.engine, 'mssql', `${shipped} loads`);
  }
});

t.test('SQL Server plans: mixed, missing or doubled sources are refused with positions', async (t) => {
  t.match(errorsFor(mssqlPlanText('path: snapshot.db')), /plan\.yaml:\d+:\d+: with `database\.engine: mssql` the snapshot is on the server/);
  t.match(errorsFor(mssqlPlanText('backupFile: /b.bak\n  database: EngageIP')), /give exactly one of `backupFile`, `s3Arn` or `database` \(2 given\)/);
  t.match(errorsFor(mssqlPlanText('backupFile: /b.bak', 'path: production-result.db')), /production's result is a database on the rehearsal server/);
  t.match(errorsFor(mssqlPlanText('database: billing', 'database: BILLING')), /must be a different database from the snapshot/);
  t.match(errorsFor(mssqlPlanText('s3Arn: https://example.invalid/billing.bak')), /`snapshot\.s3Arn` has an invalid format/);
  t.match(errorsFor(validPlanText().replace(/snapshot:\n {2}path: .*\n/, 'snapshot:\n  backupFile: /b.bak\n')), /`snapshot\.backupFile` is a SQL Server source; with a SQLite database give `snapshot\.path`/);
  t.match(errorsFor(validPlanText().replace('target: local', 'target: aws')), /target `aws` restores SQL Server/);
});

t.test('SQL Server plans: hostile database names are refused, not passed on', async (t) => {
  for (const hostile of ["x]; DROP DATABASE master;--", "a'b", 'ü'.repeat(10), 'd'.repeat(10_000)]) {
    const message = errorsFor(mssqlPlanText(`database: ${JSON.stringify(hostile)}`));
    t.match(message, /`snapshot\.database` (has an invalid format|must have at most 128 characters)/, `${hostile.slice(0, 20)} refused`);
    t.ok(message.length < 2_000, 'the message does not echo a huge value');
  }
});

t.test('sanitize.batchRows: defaults to the measured size; zero, a fraction or text is refused at its position', async (t) => {
  t.equal(loadPlan(dir.write('plan.yaml', validPlanText())).sanitize.batchRows, DEFAULT_BATCH_ROWS);
  t.equal(loadPlan(dir.write('plan.yaml', validPlanText().replace(/^sanitize:\n/m, 'sanitize:\n  batchRows: 5000\n'))).sanitize.batchRows, 5000);
  for (const [value, expected] of [['0', /`sanitize\.batchRows` must be >= 1/], ['2.5', /`sanitize\.batchRows` must be an integer/], ["'many'", /`sanitize\.batchRows` must be an integer, got string "many"/]] as const) {
    t.match(errorsFor(validPlanText().replace(/^sanitize:\n/m, `sanitize:\n  batchRows: ${value}\n`)), new RegExp(`plan\\.yaml:\\d+:\\d+: ${expected.source}`), value);
  }
});
