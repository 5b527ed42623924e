import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSample } from '../helpers/sample-fixture.js';
import { resultCopies } from '../helpers/result-copies.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkStaffUsers } from '../../src/checks/staff-users.js';
import { resolveBillRunConfiguration } from '../../src/billrun/configuration.js';
import { Profile } from '../../src/platform/profile.js';
import { SAMPLE_ADAPTER, SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import { PRODUCTION_BILL_RUN_CONFIGURATION } from '../../sample-platform/generator/catalogue.js';
import { UserError } from '../../src/errors.js';
import { preflight } from '../../src/preflight/preflight.js';
import { loadPlan } from '../../src/plan/load.js';
import type { ConceptName } from '../../src/platform/concepts.js';
import { openSqliteDatabase } from '../../sample-platform/service/database/sqlite.js';
import { RELEASES, migrateToRelease } from '../../sample-platform/service/releases.js';

const BILL_DATE = '2026-11-01';
const sample = makeSample(60, 5);
t.teardown(() => sample.cleanup());

/** Masks as a keyed hash would, visibly, so a test can tell a masked name from a raw one. */
const mask = (name: string): string => `masked-${name.length}-${[...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 100000, 7)}`;

const { changedCopy, withEngines } = resultCopies(sample.productionResult, sample.dir);

function without(...concepts: ConceptName[]): Profile {
  return new Profile({ ...SAMPLE_ADAPTER, queries: SAMPLE_ADAPTER.queries.filter((q) => !concepts.includes(q.concept)) });
}

const staff = new Database(sample.productionResult, { readonly: true });
const usernames = staff.prepare('SELECT id, username FROM staff_users ORDER BY id').all() as { id: number; username: string }[];
staff.close();
const nameOf = (id: number): string => usernames.find((u) => u.id === id)?.username ?? '';

t.test('staff users: the same users, roles and grants pass, and no user name appears unmasked', async (t) => {
  const result = await withEngines(sample.productionResult, (r, p) => checkStaffUsers(r, p, profile, mask));
  t.equal(result.status, 'passed', result.summary);
  t.match(result.summary, 'all 9 active staff user(s) keep every permission they had (roles and direct grants)');
  t.equal(result.evidence?.length, 9, 'one row per active user; the inactive one is left out');
  const text = JSON.stringify(result);
  for (const { username } of usernames) t.notOk(text.includes(username), `${username} is not in the result`);
  t.ok(result.evidence?.some((row) => row.user === mask(nameOf(6)) && row.direct === 2), 'direct grants are counted per user');
});

t.test('staff users: a revoked direct grant fails, naming the masked user, the permission and how it was held', async (t) => {
  const changed = changedCopy('grant-revoked', (db) => db.prepare('DELETE FROM staff_user_permissions WHERE staff_user_id = 3').run());
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask));
  t.equal(result.status, 'failed');
  t.match(result.summary, `1 of 9 active staff user(s) lost access compared with production: ${mask(nameOf(3))} permission lost Staff.Manage (direct grant)`);
  t.same(result.sections?.[0]?.rows, [{ user: mask(nameOf(3)), change: 'permission lost', permission: 'Staff.Manage', via: 'direct grant' }], 'the differences are a clean list');
});

t.test('staff users: a dropped role membership, a deactivated user and a deleted user each fail; an inactive user does not count', async (t) => {
  const changed = changedCopy('roles-changed', (db) => {
    db.prepare("UPDATE staff_users SET role_id = (SELECT id FROM roles WHERE name = 'ReadOnly') WHERE id = 4").run();
    db.prepare('UPDATE staff_users SET active = 0 WHERE id = 5').run();
    db.prepare('DELETE FROM staff_user_permissions WHERE staff_user_id = 9').run();
    db.prepare('DELETE FROM staff_users WHERE id = 10').run();
  });
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask));
  t.equal(result.status, 'failed');
  const rows = result.sections?.[0]?.rows ?? [];
  t.ok(rows.some((d) => d.user === mask(nameOf(4)) && d.change === 'permission lost' && d.permission === 'Invoices.Void' && d.via === 'role Billing'), 'a permission lost with the role');
  t.ok(rows.some((d) => d.user === mask(nameOf(5)) && d.change === 'user deactivated'), 'deactivated');
  t.ok(rows.some((d) => d.user === mask(nameOf(10)) && d.change === 'user missing'), 'missing');
  t.notOk(rows.some((d) => d.user === mask(nameOf(9))), 'the inactive user (9) is not judged');
  t.match(result.summary, '3 of 9 active staff user(s) lost access');
});

t.test('staff users: a gained permission is listed, not failed', async (t) => {
  const changed = changedCopy('gained', (db) => db.prepare("INSERT INTO staff_user_permissions (staff_user_id, permission_id) SELECT 7, id FROM permissions WHERE name = 'Settings.Edit'").run());
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask));
  t.equal(result.status, 'passed');
  t.same(result.sections?.[0]?.rows, [{ user: mask(nameOf(7)), change: 'permission gained', permission: 'Settings.Edit', via: 'direct grant' }]);
});

t.test('staff users: without the concept the check is not configured (skipped, never passed); without direct grants, roles alone count', async (t) => {
  const skipped = await withEngines(sample.productionResult, (r, p) => checkStaffUsers(r, p, without('staffUsers'), mask));
  t.equal(skipped.status, 'skipped');
  t.match(skipped.summary, 'not configured for this platform');
  const changed = changedCopy('no-direct', (db) => db.prepare('DELETE FROM staff_user_permissions').run());
  const rolesOnly = await withEngines(changed, (r, p) => checkStaffUsers(r, p, without('staffDirectGrants'), mask));
  t.equal(rolesOnly.status, 'passed');
  t.match(rolesOnly.summary, 'roles only (the adapter defines no `staffDirectGrants`)');
});

t.test("configuration: production's last bill run's items are read from production's result and applied as they were", async (t) => {
  const production = SqliteEngine.open(sample.productionResult, { readonly: true });
  t.teardown(() => production.close());
  const resolved = await resolveBillRunConfiguration(production, profile, BILL_DATE, []);
  t.same(resolved.settings, PRODUCTION_BILL_RUN_CONFIGURATION);
  t.equal(resolved.check.status, 'passed');
  t.same(resolved.check.evidence, [
    { item: 'invoice.servicePeriodInDescription', production: 'true', rehearsal: 'true', override: '—', reason: '—' },
    { item: 'invoice.taxLabel', production: 'Sales tax', rehearsal: 'Sales tax', override: '—', reason: '—' },
  ]);
  const db = new Database(sample.productionResult, { readonly: true });
  const described = db.prepare("SELECT COUNT(*) AS n FROM invoice_items WHERE kind = 'recurring' AND description LIKE '%(2026-11-01 to 2026-12-01)'").get() as { n: number };
  db.close();
  t.ok(described.n > 0, "production's bill run honoured its configuration: recurring lines name their period");
});

t.test('configuration: an override is applied and shown beside production with its reason; an unknown item is refused at its plan position', async (t) => {
  const production = SqliteEngine.open(sample.productionResult, { readonly: true });
  t.teardown(() => production.close());
  const reason = 'the new release prints the period on its own line (RN-204)';
  const resolved = await resolveBillRunConfiguration(production, profile, BILL_DATE, [{ item: 'invoice.servicePeriodInDescription', value: 'false', reason, at: 'plan.yaml:40:7' }]);
  t.same(resolved.settings, { 'invoice.servicePeriodInDescription': 'false', 'invoice.taxLabel': 'Sales tax' });
  t.equal(resolved.check.status, 'warning', 'an override is there to be read');
  t.same(resolved.check.evidence?.[0], { item: 'invoice.servicePeriodInDescription', production: 'true', rehearsal: 'false', override: 'plan', reason });
  t.match(resolved.check.summary, '1 overridden by the plan: invoice.servicePeriodInDescription');

  const error = await resolveBillRunConfiguration(production, profile, BILL_DATE, [{ item: 'invoice.taxlabel', value: 'VAT', reason, at: 'plan.yaml:41:7' }]).catch((e: unknown) => e);
  t.ok(error instanceof UserError && error.exitCode === 2, 'bad input: exit 2');
  t.match(String(error), "plan.yaml:41:7: production's last bill run up to 2026-11-01 has no configuration item `invoice.taxlabel`; it has invoice.servicePeriodInDescription, invoice.taxLabel");

  const unconfigured = await resolveBillRunConfiguration(production, without('billRunConfiguration'), BILL_DATE, []);
  t.equal(unconfigured.check.status, 'skipped');
  t.match(unconfigured.check.summary, 'not configured for this platform');
  t.same(unconfigured.settings, {});
});

t.test('the candidate with staff-direct-grant-revoked fails the staff-users check; without it the check passes', async (t) => {
  for (const [name, faults] of [['candidate', []], ['revoked', ['staff-direct-grant-revoked']]] as const) {
    const path = join(sample.dir, `migrated-${name}.db`);
    copyFileSync(sample.productionResult, path);
    const db = openSqliteDatabase(path);
    await migrateToRelease(db, RELEASES.candidate, new Set(faults));
    await db.close();
    const result = await withEngines(path, (r, p) => checkStaffUsers(r, p, profile, mask));
    if (faults.length === 0) {
      t.equal(result.status, 'passed', 'the candidate alone keeps every user\'s access (administrators gain its two new permissions)');
      t.equal(result.sections?.[0]?.rows.filter((d) => d.change === 'permission gained').length, 4, 'two administrators, two new permissions each, listed');
    } else {
      t.equal(result.status, 'failed');
      t.match(result.summary, `${mask(nameOf(3))} permission lost Staff.Manage (direct grant)`);
    }
  }
});

t.test('pre-flight refuses an override of an item production never had, at its place in the plan, before anything is created', async (t) => {
  const file = sample.plan('unknown-item', { extraYaml: 'platformOverrides:\n  configuration:\n    - { item: invoice.dueDays, value: "30", reason: "RN-9: payment terms change" }\n' });
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('invoice.dueDays')) + 1;
  const error = await preflight(loadPlan(file), { askSqlServer: 'always' }).catch((e: unknown) => e);
  t.ok(error instanceof UserError && error.exitCode === 2, 'bad input: exit 2');
  t.match(String(error), `${file}:${line}:7: production's last bill run up to 2026-11-01 has no configuration item \`invoice.dueDays\``);
  t.notOk(existsSync(join(sample.dir, 'reports')), 'no run folder was made');
  const valid = sample.plan('known-item', { extraYaml: 'platformOverrides:\n  configuration:\n    - { item: invoice.taxLabel, value: VAT, reason: "RN-311: invoices say VAT" }\n' });
  const checked = await preflight(loadPlan(valid), { askSqlServer: 'always' });
  t.ok(checked.checked.includes("1 bill-run configuration override(s) name items of production's last bill run"));
});
