import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSample } from '../helpers/sample-fixture.js';
import { resultCopies } from '../helpers/result-copies.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkStaffUsers, staffPermissionDifferences, type StaffSnapshot, type StaffUser } from '../../src/checks/staff-users.js';
import { resolveBillRunConfiguration } from '../../src/billrun/configuration.js';
import { Profile } from '../../src/platform/profile.js';
import { SAMPLE_ADAPTER, SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import { PRODUCTION_BILL_RUN_CONFIGURATION } from '../../sample-platform/generator/catalogue.js';
import { ConfigErrors, UserError } from '../../src/errors.js';
import { preflight } from '../../src/preflight/preflight.js';
import { loadPlan } from '../../src/plan/load.js';
import type { ConceptName } from '../../src/platform/concepts.js';
import { openSqliteDatabase } from '../../sample-platform/service/database/sqlite.js';
import { RELEASES, migrateToRelease } from '../../sample-platform/service/releases.js';

const BILL_DATE = '2026-11-01';
const sample = makeSample(60, 5);
t.teardown(() => sample.cleanup());

/** No expectation of the plan: every gain must come from a grant to a role the user held. */
const NONE = { staff: [], roles: [] };

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
  const result = await withEngines(sample.productionResult, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
  t.equal(result.status, 'passed', result.summary);
  t.match(result.summary, 'all 9 active staff user(s) keep every permission they had (roles and direct grants)');
  t.equal(result.evidence?.length, 9, 'one row per active user; the inactive one is left out');
  const text = JSON.stringify(result);
  for (const { username } of usernames) t.notOk(text.includes(username), `${username} is not in the result`);
  t.ok(result.evidence?.some((row) => row.user === mask(nameOf(6)) && row.direct === 2), 'direct grants are counted per user');
});

t.test('staff users: a revoked direct grant fails, naming the masked user, the permission and how it was held', async (t) => {
  const changed = changedCopy('grant-revoked', (db) => db.prepare('DELETE FROM staff_user_permissions WHERE staff_user_id = 3').run());
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
  t.equal(result.status, 'failed');
  t.match(result.summary, `1 of 9 active staff user(s) lost access compared with production: ${mask(nameOf(3))} permission lost Staff.Manage (direct grant)`);
  t.same(result.sections?.[0]?.rows, [{ user: mask(nameOf(3)), change: 'permission lost', permission: 'Staff.Manage', via: 'direct grant', verdict: 'fails' }], 'the differences are a clean list');
});

t.test('staff users: a dropped role membership, a deactivated user and a deleted user each fail; an inactive user does not count', async (t) => {
  const changed = changedCopy('roles-changed', (db) => {
    db.prepare("UPDATE staff_users SET role_id = (SELECT id FROM roles WHERE name = 'ReadOnly') WHERE id = 4").run();
    db.prepare('UPDATE staff_users SET active = 0 WHERE id = 5').run();
    db.prepare('DELETE FROM staff_user_permissions WHERE staff_user_id = 9').run();
    db.prepare('DELETE FROM staff_users WHERE id = 10').run();
  });
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
  t.equal(result.status, 'failed');
  const rows = result.sections?.[0]?.rows ?? [];
  t.ok(rows.some((d) => d.user === mask(nameOf(4)) && d.change === 'permission lost' && d.permission === 'Invoices.Void' && d.via === 'role Billing'), 'a permission lost with the role');
  t.ok(rows.some((d) => d.user === mask(nameOf(5)) && d.change === 'user deactivated'), 'deactivated');
  t.ok(rows.some((d) => d.user === mask(nameOf(10)) && d.change === 'user missing'), 'missing');
  t.notOk(rows.some((d) => d.user === mask(nameOf(9))), 'the inactive user (9) is not judged');
  t.match(result.summary, '3 of 9 active staff user(s) lost access');
});

t.test('staff users: a direct grant gained fails unless the plan expects it, by login, masked login or role, with its reason', async (t) => {
  const changed = changedCopy('gained', (db) => db.prepare("INSERT INTO staff_user_permissions (staff_user_id, permission_id) SELECT 7, id FROM permissions WHERE name = 'Settings.Edit'").run());
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
  t.equal(result.status, 'failed', 'a support agent who can suddenly edit settings is not GO');
  t.match(result.summary, `1 staff user(s) gained permissions that neither verify.expectedStaffPermissionChanges nor a grant to a role they held explains: ${mask(nameOf(7))} permission gained Settings.Edit (direct grant)`);
  t.same(result.sections?.[0]?.rows, [{ user: mask(nameOf(7)), change: 'permission gained', permission: 'Settings.Edit', via: 'direct grant', verdict: 'fails: not expected by the plan' }]);
  t.ok(result.evidence?.some((row) => row.user === mask(nameOf(7)) && row.outcome === 'gained permissions the plan does not expect'));
  t.notOk(JSON.stringify(result).includes(nameOf(7)), 'the login is masked');

  const reason = 'RN-88: the support lead edits mail settings from now on';
  for (const [how, user] of [['login', nameOf(7)], ['masked login', mask(nameOf(7))]] as const) {
    const expected = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ user, permission: 'Settings.Edit', reason }], roles: [] }));
    t.equal(expected.status, 'passed', `expected by ${how}: ${expected.summary}`);
    t.equal(expected.sections?.[0]?.rows[0]?.verdict, `expected by the plan: ${reason}`);
  }
  const byRole = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ role: 'Support', permission: 'Settings.Edit', reason }], roles: [] }));
  t.equal(byRole.status, 'passed', 'expected for every user holding the Support role');
  const otherRole = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ role: 'Billing', permission: 'Settings.Edit', reason }], roles: [] }));
  t.equal(otherRole.status, 'failed', 'an expectation for another role does not cover this user');
  t.match(otherRole.summary, 'gained permissions that neither');
  const otherUser = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ user: nameOf(8), permission: 'Settings.Edit', reason }], roles: [] }));
  t.equal(otherUser.status, 'failed', 'an expectation for another user does not cover this one');
  t.match(otherUser.summary, `1 expected staff permission change(s) not seen: Settings.Edit for user ${mask(nameOf(8))}`, 'and the unmatched expectation is named beside the failure');

  const unused = await withEngines(sample.productionResult, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ user: nameOf(8), permission: 'Payments.Refund', reason }], roles: [] }));
  t.equal(unused.status, 'warning', 'an expectation nothing matched is a warning: a typo, or the release did not make it');
  t.match(unused.summary, `1 expected staff permission change(s) not seen: Payments.Refund for user ${mask(nameOf(8))}`);
  t.notOk(unused.summary.includes(nameOf(8)), 'the login the plan wrote is shown masked');
});

t.test('staff users: a user the release reactivates fails unless the plan expects what they can do', async (t) => {
  const changed = changedCopy('reactivated', (db) => db.prepare('UPDATE staff_users SET active = 1 WHERE id = 9').run());
  const result = await withEngines(changed, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
  t.equal(result.status, 'failed', 'a support agent who left can sign in again');
  t.match(result.summary, `${mask(nameOf(9))} permission gained Settings.Edit (direct grant, of a user not active in production)`);
  const permissions = (result.sections?.[0]?.rows ?? []).filter((d) => d.user === mask(nameOf(9))).map((d) => String(d.permission));
  const expected = await withEngines(changed, (r, p) =>
    checkStaffUsers(r, p, profile, mask, { staff: permissions.map((permission) => ({ user: nameOf(9), permission, reason: 'RN-31: the agent is back from leave' })), roles: [] }),
  );
  t.equal(expected.status, 'passed', `every permission expected: ${expected.summary}`);
});

function staffSnapshot(roleGrants: Record<string, string[]>, users: Record<string, { roles: string[]; direct?: string[]; active?: boolean }>): StaffSnapshot {
  const grants = new Map(Object.entries(roleGrants).map(([role, permissions]) => [role, new Set(permissions)]));
  const built = new Map<string, StaffUser>();
  for (const [name, u] of Object.entries(users)) {
    const permissions = new Map<string, string>();
    for (const role of u.roles) for (const p of grants.get(role) ?? []) if (!permissions.has(p)) permissions.set(p, `role ${role}`);
    for (const p of u.direct ?? []) if (!permissions.has(p)) permissions.set(p, 'direct grant');
    built.set(name, { active: u.active ?? true, roles: u.roles, permissions, direct: new Set(u.direct ?? []) });
  }
  return { users: built, roleGrants: grants };
}

t.test('staff gains: a new grant to a role the user held is role-permissions\' to judge; a role change or direct grant is staff-users\'', async (t) => {
  const production = staffSnapshot({ ReadOnly: ['Invoices.View'], Billing: ['Invoices.View', 'Payments.Refund'] }, { clerk: { roles: ['ReadOnly'] }, left: { roles: ['ReadOnly'], active: false } });
  const roleGained = staffSnapshot({ ReadOnly: ['Invoices.View', 'Payments.Refund'], Billing: ['Invoices.View', 'Payments.Refund'] }, { clerk: { roles: ['ReadOnly'] }, left: { roles: ['ReadOnly'], active: true } });
  const gain = (after: StaffSnapshot, expected: Parameters<typeof staffPermissionDifferences>[3]) => staffPermissionDifferences(production, after, mask, expected);

  const judgedThere = gain(roleGained, { ...NONE, roleCheckRuns: true });
  t.same(judgedThere.differences.filter((d) => d.user === mask('clerk')), [{ user: mask('clerk'), change: 'permission gained', permission: 'Payments.Refund', via: 'role ReadOnly', explained: 'a new grant to role ReadOnly, judged by role-permissions' }], 'not failed twice');
  t.same(
    judgedThere.differences.filter((d) => d.user === mask('left')),
    ['Invoices.View', 'Payments.Refund'].map((permission) => ({ user: mask('left'), change: 'permission gained', permission, via: 'role ReadOnly, of a user not active in production' })),
    'a user the release reactivates gains every permission they hold, none explained by a role they held',
  );
  const created = staffSnapshot({ ReadOnly: ['Invoices.View'], Administrator: ['Staff.Manage'] }, { clerk: { roles: ['ReadOnly'] }, 'svc-migrate': { roles: ['Administrator'] } });
  const createdUser = gain(created, { staff: [{ user: 'svc-migrate', permission: 'Staff.Manage', reason: 'RN-9: the migration account, removed after the upgrade' }], roles: [], roleCheckRuns: true });
  t.same(createdUser.differences, [{ user: mask('svc-migrate'), change: 'permission gained', permission: 'Staff.Manage', via: 'role Administrator, of a user not active in production', explained: 'expected by the plan: RN-9: the migration account, removed after the upgrade' }], 'a user the release creates is judged by the same expectations');
  t.equal(gain(created, { ...NONE, roleCheckRuns: true }).differences[0]?.explained, undefined, 'and fails without one');
  const expectedThere = gain(roleGained, { staff: [], roles: [{ role: 'ReadOnly', permission: 'Payments.Refund', reason: 'RN-5: clerks refund small amounts' }], roleCheckRuns: true });
  t.equal(expectedThere.differences[0]?.explained, 'expected for role ReadOnly: RN-5: clerks refund small amounts', 'a grant role-permissions expects is expected here too');
  const noRoleCheck = gain(roleGained, { ...NONE, roleCheckRuns: false });
  t.equal(noRoleCheck.differences[0]?.explained, undefined, 'when role-permissions cannot run, nothing else judges the role grant: it fails here');
  const alsoDirect = staffSnapshot({ ReadOnly: ['Invoices.View', 'Payments.Refund'], Billing: ['Invoices.View', 'Payments.Refund'] }, { clerk: { roles: ['ReadOnly'], direct: ['Payments.Refund'] } });
  t.equal(gain(alsoDirect, { ...NONE, roleCheckRuns: true }).differences[0]?.via, 'role ReadOnly', 'held through the role anyway: the role grant decides');

  const promoted = staffSnapshot({ ReadOnly: ['Invoices.View'], Billing: ['Invoices.View', 'Payments.Refund'] }, { clerk: { roles: ['Billing'] } });
  const moved = gain(promoted, { staff: [], roles: [{ role: 'Billing', permission: 'Payments.Refund', reason: 'not about this user at all' }], roleCheckRuns: true });
  t.same(moved.differences, [{ user: mask('clerk'), change: 'permission gained', permission: 'Payments.Refund', via: 'role Billing, which the user did not hold in production' }], 'a role change is no role grant: it fails unless the staff expectations list it');
  const movedExpected = gain(promoted, { staff: [{ role: 'Billing', permission: 'Payments.Refund', reason: 'RN-6: clerks moved to Billing' }], roles: [], roleCheckRuns: true });
  t.equal(movedExpected.differences[0]?.explained, 'expected by the plan: RN-6: clerks moved to Billing');
  t.same(movedExpected.unmatched, []);

  const direct = staffSnapshot({ ReadOnly: ['Invoices.View'], Billing: ['Invoices.View', 'Payments.Refund'] }, { clerk: { roles: ['ReadOnly'], direct: ['Payments.Refund'] } });
  const unexpected = gain(direct, { staff: [{ user: 'someone-else', permission: 'Payments.Refund', reason: 'RN-7: another person' }], roles: [], roleCheckRuns: true });
  t.same(unexpected.differences, [{ user: mask('clerk'), change: 'permission gained', permission: 'Payments.Refund', via: 'direct grant' }]);
  t.same(unexpected.unmatched.map((e) => e.user), ['someone-else'], 'the expectation that matched nothing is returned');
});

t.test('staff users: without the concept the check is not configured (skipped, never passed); without direct grants, roles alone count', async (t) => {
  const skipped = await withEngines(sample.productionResult, (r, p) => checkStaffUsers(r, p, without('staffUsers'), mask, NONE));
  t.equal(skipped.status, 'skipped');
  t.match(skipped.summary, 'not configured for this platform');
  const changed = changedCopy('no-direct', (db) => db.prepare('DELETE FROM staff_user_permissions').run());
  const rolesOnly = await withEngines(changed, (r, p) => checkStaffUsers(r, p, without('staffDirectGrants'), mask, NONE));
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

t.test('the candidate with staff-direct-grant-revoked or staff-direct-grant-added fails the staff-users check; without either it passes', async (t) => {
  const readOnlyClerk = usernames.find((u) => u.id === 10);
  for (const [name, faults] of [['candidate', []], ['revoked', ['staff-direct-grant-revoked']], ['added', ['staff-direct-grant-added']]] as const) {
    const path = join(sample.dir, `migrated-${name}.db`);
    copyFileSync(sample.productionResult, path);
    const db = openSqliteDatabase(path);
    await migrateToRelease(db, RELEASES.candidate, new Set(faults));
    await db.close();
    const result = await withEngines(path, (r, p) => checkStaffUsers(r, p, profile, mask, NONE));
    if (name === 'candidate') {
      t.equal(result.status, 'passed', 'the candidate alone keeps every user\'s access (administrators gain its two new permissions)');
      const gained = result.sections?.[0]?.rows.filter((d) => d.change === 'permission gained') ?? [];
      t.equal(gained.length, 4, 'two administrators, two new permissions each, listed');
      t.ok(gained.every((d) => d.verdict === 'a new grant to role Administrator, judged by role-permissions'), 'grants to a role they held are left to role-permissions');
    } else if (name === 'revoked') {
      t.equal(result.status, 'failed');
      t.match(result.summary, `${mask(nameOf(3))} permission lost Staff.Manage (direct grant)`);
    } else {
      t.equal(result.status, 'failed', 'a read-only clerk who can refund payments is NO-GO');
      t.match(result.summary, `1 staff user(s) gained permissions that neither verify.expectedStaffPermissionChanges nor a grant to a role they held explains: ${mask(readOnlyClerk?.username ?? '?')} permission gained Payments.Refund (direct grant)`);
      const withPlan = await withEngines(path, (r, p) => checkStaffUsers(r, p, profile, mask, { staff: [{ user: readOnlyClerk?.username ?? '?', permission: 'Payments.Refund', reason: 'RN-12: the clerk covers refunds in December' }], roles: [] }));
      t.equal(withPlan.status, 'passed', 'the same grant, expected by the plan, passes');
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

t.test('plan: verify.expectedStaffPermissionChanges is validated with file:line:column, every problem at once', async (t) => {
  const note = 'releaseNotes:\n  - { id: RN-12, title: "Refunds for the December cover", link: https://tracker.example/RN-12 }\n';
  const write = (name: string, entries: string): { file: string; line: (text: string) => number } => {
    const file = sample.plan(name, { extraYaml: note });
    const text = readFileSync(file, 'utf8').replace('  expectedPermissionChanges:\n', `  expectedStaffPermissionChanges:\n${entries}  expectedPermissionChanges:\n`);
    writeFileSync(file, text);
    return { file, line: (needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1 };
  };
  const good = write('staff-good', '    - { user: jdoe, permission: Payments.Refund, reason: "RN-12: jdoe covers refunds in December" }\n    - { role: ReadOnly, permission: Payments.Refund, releaseNote: RN-12 }\n');
  t.same(loadPlan(good.file).verify.expectedStaffPermissionChanges, [
    { user: 'jdoe', permission: 'Payments.Refund', reason: 'RN-12: jdoe covers refunds in December' },
    { role: 'ReadOnly', permission: 'Payments.Refund', reason: 'release note RN-12: Refunds for the December cover', releaseNote: 'RN-12' },
  ], 'a release note gives the reason its id and title');
  t.same(loadPlan(sample.plan('staff-none')).verify.expectedStaffPermissionChanges, [], 'absent: nothing expected');

  const bad = write(
    'staff-bad',
    [
      '    - { user: jdoe, role: ReadOnly, permission: Settings.Edit, reason: "both user and role given" }',
      '    - { permission: Staff.Manage, reason: "nobody named at all here" }',
      '    - { user: asmith, permission: Invoices.Void }',
      '    - { user: bsmith, permission: Invoices.Void, releaseNote: RN-99 }',
      '    - { user: csmith, permission: Usage.Import, reason: "          " }',
      '    - { user: jdoe, permission: Payments.Refund, reason: "first time listed here" }',
      '    - { user: jdoe, permission: Payments.Refund, reason: "listed again by mistake" }',
      '',
    ].join('\n'),
  );
  const error = (() => {
    try {
      loadPlan(bad.file);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(error instanceof ConfigErrors, 'refused as a configuration error (exit 2)');
  const message = String(error);
  const at = (needle: string): string => `${bad.file}:${bad.line(needle)}:`;
  t.match(message, `${at('both user and role')}`);
  t.match(message, 'say whose Settings.Edit is expected with one of `user`');
  t.match(message, `${at('nobody named')}`);
  t.match(message, `${at('asmith')}`);
  t.match(message, 'say why Invoices.Void is expected: a `reason` (10 characters or more) or the `releaseNote` that explains it');
  t.match(message, `${at('bsmith')}`);
  t.match(message, 'the plan has no release note RN-99; its releaseNotes: RN-12');
  t.match(message, `${at('csmith')}`);
  t.match(message, 'say why this staff permission is expected (10 characters or more other than spaces)');
  t.match(message, `${at('listed again')}`);
  t.match(message, `Payments.Refund for user jdoe is already expected at line ${bad.line('first time listed')}; list it once`);

  const unknown = write('staff-unknown-field', '    - { users: [jdoe], permission: Payments.Refund, reason: "a list of users is not supported" }\n');
  t.throws(() => loadPlan(unknown.file), new RegExp(`${unknown.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${unknown.line('users: [jdoe]')}:\\d+: .*users`), 'an unknown field is refused at its line');
  const short = write('staff-short', '    - { user: jdoe, permission: Payments.Refund, reason: "ok" }\n');
  t.throws(() => loadPlan(short.file), /reason. must have at least 10 character/, 'a short reason is refused by the schema');
});
