import type { DatabaseEngine } from '../engine/types.js';
import { rolePermissions, roles, type RolePermissionRow, type RoleRow } from '../profiles/sample-platform.js';
import type { CheckResult } from './types.js';

/**
 * Staff roles after the upgrade against production: a role that lost a permission (or a role that
 * disappeared) fails; a new permission that no role holds is a warning (nobody can use the feature).
 * New grants are listed so the release manager sees who gained what.
 */
export async function checkRolePermissions(rehearsal: DatabaseEngine, production: DatabaseEngine): Promise<CheckResult> {
  const base = { id: 'role-permissions', title: 'Staff roles keep every permission they had, and new permissions are granted' };
  const [after, before] = await Promise.all([readGrants(rehearsal), readGrants(production)]);
  const rows: Record<string, string>[] = [];
  const lostRoles = [...before.roles].filter((r) => !after.roles.has(r));
  for (const role of lostRoles) rows.push({ change: 'role removed', role, permission: '—' });
  const lost = [...before.grants].filter((g) => !after.grants.has(g) && !lostRoles.includes(g.split('\u0000')[0] ?? ''));
  for (const g of lost) rows.push({ change: 'permission lost', ...split(g) });
  const newPermissions = [...after.permissions].filter((p) => !before.permissions.has(p));
  const unheld = newPermissions.filter((p) => !after.heldPermissions.has(p));
  for (const p of unheld) rows.push({ change: 'new permission no role holds', role: '—', permission: p });
  const gained = [...after.grants].filter((g) => !before.grants.has(g));
  for (const g of gained) rows.push({ change: 'permission granted', ...split(g) });

  const failed = lostRoles.length > 0 || lost.length > 0;
  const summary = failed
    ? `${lostRoles.length} role(s) removed and ${lost.length} permission(s) lost by a role compared with production`
    : unheld.length > 0
      ? `no role lost a permission; ${unheld.length} new permission(s) no role holds: ${unheld.join(', ')}`
      : `no role lost a permission; ${newPermissions.length} new permission(s), ${gained.length} new grant(s)${gained.length > 0 ? ` (${gained.map((g) => Object.values(split(g)).join(': ')).join(', ')})` : ''}`;
  return { ...base, status: failed ? 'failed' : unheld.length > 0 ? 'warning' : 'passed', summary, evidence: rows };
}

interface Grants {
  readonly roles: Set<string>;
  readonly permissions: Set<string>;
  readonly heldPermissions: Set<string>;
  /** `role\0permission` */
  readonly grants: Set<string>;
}

async function readGrants(engine: DatabaseEngine): Promise<Grants> {
  const grants: Grants = { roles: new Set((await engine.query<RoleRow>(roles())).map((r) => r.role)), permissions: new Set(), heldPermissions: new Set(), grants: new Set() };
  for (const row of await engine.query<RolePermissionRow>(rolePermissions())) {
    grants.permissions.add(row.permission);
    if (row.role === null) continue;
    grants.heldPermissions.add(row.permission);
    grants.grants.add(`${row.role}\u0000${row.permission}`);
  }
  return grants;
}

function split(grant: string): { role: string; permission: string } {
  const [role = '', permission = ''] = grant.split('\u0000');
  return { role, permission };
}
