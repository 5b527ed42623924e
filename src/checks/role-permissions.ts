import type { DatabaseEngine } from '../engine/types.js';
import type { ExpectedPermissionChange } from '../plan/types.js';
import type { Profile } from '../platform/profile.js';
import { notConfigured } from './not-configured.js';
import type { CheckResult } from './types.js';

/**
 * Staff roles after the upgrade against production. Fails when a role lost a permission or
 * disappeared, and when a role that already existed gained a permission the plan does not list
 * under `verify.expectedPermissionChanges` (a read-only role that can suddenly refund payments is
 * as wrong as an administrator who can no longer void invoices). Grants to roles the release
 * creates are listed, not failed. A new permission no role holds is a warning (nobody can use the
 * feature), and so is an expected grant the release did not make.
 */
export async function checkRolePermissions(rehearsal: DatabaseEngine, production: DatabaseEngine, expected: readonly ExpectedPermissionChange[], profile: Profile): Promise<CheckResult> {
  const base = { id: 'role-permissions', title: 'Staff roles keep every permission they had and gain only the permissions the plan expects' };
  const unconfigured = notConfigured(profile, base, ['roles', 'rolePermissions']);
  if (unconfigured !== undefined) return unconfigured;
  const [after, before] = await Promise.all([readGrants(rehearsal, profile), readGrants(production, profile)]);
  const reasons = new Map(expected.map((e) => [grantKey(e.role, e.permission), e.reason]));
  const rows: Record<string, string>[] = [];
  const lostRoles = [...before.roles].filter((r) => !after.roles.has(r));
  for (const role of lostRoles) rows.push({ change: 'role removed', role, permission: '—', reason: '—' });
  const lost = [...before.grants].filter((g) => !after.grants.has(g) && !lostRoles.includes(split(g).role));
  for (const g of lost) rows.push({ change: 'permission lost', ...split(g), reason: '—' });

  const gained = [...after.grants].filter((g) => !before.grants.has(g));
  const unexpected = gained.filter((g) => before.roles.has(split(g).role) && !reasons.has(g));
  for (const g of unexpected) rows.push({ change: 'permission granted to an existing role, not expected by the plan', ...split(g), reason: '—' });
  const newPermissions = [...after.permissions].filter((p) => !before.permissions.has(p));
  const unheld = newPermissions.filter((p) => !after.heldPermissions.has(p));
  for (const p of unheld) rows.push({ change: 'new permission no role holds', role: '—', permission: p, reason: '—' });
  const notMade = expected.filter((e) => !after.grants.has(grantKey(e.role, e.permission)));
  for (const e of notMade) rows.push({ change: 'expected grant not made', role: e.role, permission: e.permission, reason: e.reason });
  for (const g of gained.filter((x) => !unexpected.includes(x))) {
    const reason = reasons.get(g);
    rows.push({ change: reason !== undefined ? 'permission granted, as the plan expects' : 'permission granted to a role the release added', ...split(g), reason: reason ?? '—' });
  }

  const failed = lostRoles.length > 0 || lost.length > 0 || unexpected.length > 0;
  const warned = unheld.length > 0 || notMade.length > 0;
  const named = (list: readonly string[]): string => list.map((g) => `${split(g).role}: ${split(g).permission}`).join(', ');
  const problems = [
    ...(lostRoles.length > 0 ? [`${lostRoles.length} role(s) removed (${lostRoles.join(', ')})`] : []),
    ...(lost.length > 0 ? [`${lost.length} permission(s) lost (${named(lost)})`] : []),
    ...(unexpected.length > 0 ? [`${unexpected.length} permission(s) newly granted to existing roles and not listed in verify.expectedPermissionChanges (${named(unexpected)})`] : []),
  ];
  const notes = [
    ...(unheld.length > 0 ? [`${unheld.length} new permission(s) no role holds: ${unheld.join(', ')}`] : []),
    ...(notMade.length > 0 ? [`${notMade.length} expected grant(s) not made: ${notMade.map((e) => `${e.role}: ${e.permission}`).join(', ')}`] : []),
  ];
  const summary = failed
    ? `${problems.join('; ')} compared with production`
    : [`no role lost a permission or gained one the plan does not expect; ${newPermissions.length} new permission(s), ${gained.length} new grant(s)${gained.length > 0 ? ` (${named(gained)})` : ''}`, ...notes].join('; ');
  return { ...base, status: failed ? 'failed' : warned ? 'warning' : 'passed', summary, evidence: rows };
}

interface Grants {
  readonly roles: Set<string>;
  readonly permissions: Set<string>;
  readonly heldPermissions: Set<string>;
  /** `role\0permission` */
  readonly grants: Set<string>;
}

async function readGrants(engine: DatabaseEngine, profile: Profile): Promise<Grants> {
  const grants: Grants = { roles: new Set((await profile.query(engine, 'roles', {})).map((r) => r.role)), permissions: new Set(), heldPermissions: new Set(), grants: new Set() };
  for (const row of await profile.query(engine, 'rolePermissions', {})) {
    grants.permissions.add(row.permission);
    if (row.role === null) continue;
    grants.heldPermissions.add(row.permission);
    grants.grants.add(grantKey(row.role, row.permission));
  }
  return grants;
}

function grantKey(role: string, permission: string): string {
  return `${role}\u0000${permission}`;
}

function split(grant: string): { role: string; permission: string } {
  const [role = '', permission = ''] = grant.split('\u0000');
  return { role, permission };
}
