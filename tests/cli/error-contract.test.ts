import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makePlanDir, mssqlPlanText, validPlanText } from '../helpers/plan-fixture.js';
import { BUG_BANNER, runCliAsync, STACK_TRACE, type CliOutcome } from '../helpers/cli-contract.js';

// Each case is a separate CLI process; two run side by side to keep the file short.
t.jobs = 2;
const dir = makePlanDir();
t.teardown(() => dir.cleanup());

function assertRefused(t: Test, outcome: CliOutcome, says: RegExp[]): void {
  t.equal(outcome.status, 2, `exit 2 (stderr: ${outcome.stderr.slice(-600)})`);
  for (const pattern of says) t.match(outcome.stderr, pattern);
  t.notMatch(outcome.stderr, STACK_TRACE, 'no stack trace');
  t.notMatch(outcome.stderr, BUG_BANNER, 'not reported as a bug');
}

function planWithReports(name: string, reports: string): string {
  return dir.write(`${name}.yaml`, validPlanText().replace('  dir: reports', `  dir: ${reports}`));
}

/** A tmpfs mounted for one test, unmounted in its teardown. */
function tmpfs(t: Test, name: string, options: string): string {
  const mountPoint = join(dir.dir, name);
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
  t.teardown(() => execFileSync('umount', [mountPoint]));
  return mountPoint;
}

t.test('report.dir under a file (ENOTDIR) names the path and exits 2', async (t) => {
  const outcome = await runCliAsync(['all', planWithReports('enotdir', '/etc/passwd/reports')]);
  assertRefused(t, outcome, [/enotdir\.yaml:\d+:\d+: /, /\/etc\/passwd\/reports/, /\/etc\/passwd is not a directory/]);
});

t.test('a read-only reports folder (EROFS) names the path and exits 2', async (t) => {
  const reports = tmpfs(t, 'read-only', 'ro,size=64k');
  const outcome = await runCliAsync(['all', planWithReports('erofs', reports)]);
  assertRefused(t, outcome, [new RegExp(reports), /read-only/]);
  t.same(readdirSync(reports), [], 'nothing created');
});

t.test('a full disk (ENOSPC) under the reports folder names the path and exits 2', async (t) => {
  const reports = tmpfs(t, 'full', 'size=64k,nr_inodes=1');
  const outcome = await runCliAsync(['all', planWithReports('enospc', reports)]);
  assertRefused(t, outcome, [new RegExp(reports), /disk is full/]);
  t.same(readdirSync(reports), [], 'nothing created');
});

t.test('a user other than root, where root has rehearsed, is told it needs root', async (t) => {
  // As after a root run: the reports folder exists and belongs to root.
  const reports = join(dir.dir, 'root-reports');
  mkdirSync(reports, { mode: 0o755 });
  chmodSync(dir.dir, 0o755);
  const plan = planWithReports('non-root', reports);
  const outcome = await runCliAsync(['all', plan], { uid: 65534, gid: 65534, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  assertRefused(t, outcome, [/non-root\.yaml:\d+:\d+: .*root-reports/, /needs root/]);
  t.same(readdirSync(reports), [], 'nothing created');
});

t.test('a SQL Server that refuses the connection: which server, which login, what to check; never the password', async (t) => {
  // A port that was just free: nothing listens on it, so the connection is refused at once.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const plan = dir.write('refused.yaml', mssqlPlanText('database: billing_before_run').replace('server: sql.rehearsal.example', 'server: 127.0.0.1').replace('  dir: reports', `  dir: ${join(dir.dir, 'refused-reports')}`));
  const password = 'Refused-Pa55word-9b1e';
  const outcome = await runCliAsync(['all', plan], { env: { ...process.env, REHEARSAL_MSSQL_URL: `Server=127.0.0.1,${port};Database=billing;User Id=rehearsal_login;Password=${password};Encrypt=false` } });
  assertRefused(t, outcome, [new RegExp(`SQL Server 127\\.0\\.0\\.1:${port}`), /login rehearsal_login/, /refused the connection/, /REHEARSAL_MSSQL_URL/]);
  t.notMatch(outcome.stderr + outcome.stdout, password, 'the password is never printed');
});
