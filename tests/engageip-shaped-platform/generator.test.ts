import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateSnapshot, validateGenerateOptions } from '../../engageip-shaped-platform/generator/generate.js';
import { UserError } from '../../src/errors.js';
import { sha256, NODE_TS } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { waitFor } from '../helpers/wait-for.js';

const options = { accounts: 60, seed: 7, billDate: '2026-11-01' };

t.test('the same options give the same data; another seed other data', async (t) => {
  const dir = t.testdir({});
  const [a, b, c] = ['a.db', 'b.db', 'c.db'].map((name) => join(dir, name)) as [string, string, string];
  generateSnapshot({ ...options, out: a });
  generateSnapshot({ ...options, out: b });
  generateSnapshot({ ...options, seed: 8, out: c });
  t.equal(sha256(a), sha256(b));
  t.not(sha256(a), sha256(c));
});

t.test('the EngageIP shape: PascalCase tables, DECIMAL(19,4) money, datetimes, the users the example plan names', async (t) => {
  const file = join(t.testdir({}), 'snapshot.db');
  generateSnapshot({ ...options, out: file });
  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  for (const table of ['User', 'UserPackage', 'UserServicePackageDiscountTracking', 'eventlog', 'BucketPoolGroup', 'UsageRecord', 'Role', 'Permission', 'BillRunRequest']) t.ok(tables.includes(table), table);
  const columns = (table: string): Record<string, string> => Object.fromEntries((db.prepare(`PRAGMA table_info([${table}])`).all() as { name: string; type: string }[]).map((c) => [c.name, c.type]));
  t.equal(columns('Invoice')['Total'], 'DECIMAL(19,4)');
  t.equal(columns('User')['Balance'], 'DECIMAL(19,4)');
  t.same(Object.keys(columns('eventlog')).slice(1, 5), ['Date', 'Action', 'Module', 'Result']);
  t.equal(columns('UserPackage')['NextBillDate'], 'DATETIME');
  t.match(db.prepare('SELECT [Date] FROM [eventlog] LIMIT 1').pluck().get(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/, 'a moment as SQL Server shows it');
  t.same(db.prepare("SELECT DISTINCT [NextBillDate] FROM [UserPackage] up JOIN [User] u ON u.[ID] = up.[UserID] WHERE u.[Name] = 'U000001'").pluck().all(), ['2026-11-01'], 'a date at midnight');
  t.equal(db.prepare("SELECT COUNT(*) FROM [BucketPoolGroupMember] m JOIN [BucketPoolGroup] g ON g.[ID] = m.[BucketPoolGroupID] JOIN [User] u ON u.[ID] = g.[OwnerUserID] WHERE u.[Name] = 'U000002'").pluck().get(), 3, 'U000002 pools three children');
  t.same(db.prepare("SELECT d.[Percentage] FROM [UserServicePackageDiscountTracking] t JOIN [Discount] d ON d.[ID] = t.[DiscountID] JOIN [UserPackage] up ON up.[ID] = t.[UserPackageID] JOIN [User] u ON u.[ID] = up.[UserID] WHERE u.[Name] IN ('U000001', 'U000010') ORDER BY u.[Name]").pluck().all(), [10, 50]);
  t.equal(db.prepare('SELECT COUNT(*) FROM [User]').pluck().get(), 60);
  t.equal(db.prepare('SELECT COUNT(*) FROM [BillRunRequest]').pluck().get(), 0, 'no bill run asked for yet');
});

t.test('bad generator options are refused with what to give', async (t) => {
  t.throws(() => validateGenerateOptions({ ...options, accounts: 5 }), UserError);
  t.throws(() => validateGenerateOptions({ ...options, billDate: '2026-11-30' }), /day 1 to 28/);
});

t.test('the service refuses an unknown switch, and any switch on the production release, with exit 2', async (t) => {
  const [node, ...loader] = NODE_TS;
  const service = join(PROJECT_ROOT, 'engageip-shaped-platform/service/main.ts');
  const db = join(t.testdir({}), 'missing.db');
  const unknown = spawnSync(node, [...loader, service, '--db', db, '--release', 'candidate', '--switches', 'no-such-switch'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /Unknown regression switch no-such-switch\. The candidate release knows: pool-overage-per-member/);
  const production = spawnSync(node, [...loader, service, '--db', db, '--release', 'production', '--switches', 'provisioning-not-sent'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(production.status, 2);
  t.match(production.stderr, /only in the candidate release, not in production 8\.4\.2/);
});

t.test('started with --exit-with-stdin, the service stops by itself when whoever started it is gone', async (t) => {
  const dir = t.testdir({});
  const db = join(dir, 'snapshot.db');
  const ready = join(dir, 'service.ready');
  generateSnapshot({ ...options, out: db });
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, join(PROJECT_ROOT, 'engageip-shaped-platform/service/main.ts'), '--db', db, '--release', 'production', '--ready-file', ready, '--exit-with-stdin'], { stdio: ['pipe', 'ignore', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor('the service to poll', () => (existsSync(ready) ? true : undefined), { giveUp: () => (child.exitCode !== null ? `it exited with ${child.exitCode}` : undefined) });
  child.stdin.end();
  t.equal(await exited, 0, 'a clean stop');
  t.notOk(existsSync(ready), 'its ready file is gone, so the next service must prove itself ready');
});
