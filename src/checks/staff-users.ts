import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { notConfigured } from './not-configured.js';
import { MAX_EVIDENCE_ROWS, type CheckResult } from './types.js';

/**
 * One way a staff user's effective permissions differ from production's. A clean list, so a
 * release note can later explain an entry; `user` is already masked.
 */
export interface StaffPermissionDifference {
  readonly user: string;
  readonly change: 'user missing' | 'user deactivated' | 'permission lost' | 'permission gained';
  /** The permission, or null for a change of the whole user. */
  readonly permission: string | null;
  /** How production's user held it (`role Billing`, `direct grant`); how the rehearsal's holds a gained one. */
  readonly via: string;
}

/** A user's effective permissions and where each comes from. */
interface StaffUser {
  readonly active: boolean;
  readonly roles: readonly string[];
  /** permission → how it is held (`role X`, `direct grant`), first source found. */
  readonly permissions: ReadonlyMap<string, string>;
}

const BASE = { id: 'staff-users', title: 'Every active staff user keeps the effective permissions they had in production (roles and direct grants)' } as const;

/**
 * Staff users after the upgrade against production's result, through the profile: every user
 * active in production must still exist, be active, and hold every permission they held there,
 * whether through a role or a direct grant (`staffDirectGrants`, when the platform has them). A
 * lost permission or user fails the check; gains are listed (the role-permissions check judges
 * what roles gain). User names are shown masked with `maskName`.
 */
export async function checkStaffUsers(rehearsal: DatabaseEngine, production: DatabaseEngine, profile: Profile, maskName: (name: string) => string): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, BASE, ['staffUsers', 'rolePermissions']);
  if (unconfigured !== undefined) return unconfigured;
  const [before, after] = await Promise.all([readStaff(production, profile), readStaff(rehearsal, profile)]);
  const differences = staffPermissionDifferences(before, after, maskName);
  const failures = differences.filter((d) => d.change !== 'permission gained');
  const active = [...before.values()].filter((u) => u.active).length;
  const users = [...before.entries()].filter(([, u]) => u.active).map(([name, u]) => ({ name, user: u }));
  const evidence = users.slice(0, MAX_EVIDENCE_ROWS).map(({ name, user }) => {
    const masked = maskName(name);
    const mine = differences.filter((d) => d.user === masked);
    const list = (change: StaffPermissionDifference['change']): string => mine.filter((d) => d.change === change).map((d) => `${d.permission ?? ''} (${d.via})`).join(', ') || '—';
    const gone = mine.find((d) => d.change === 'user missing' || d.change === 'user deactivated');
    return {
      user: masked,
      roles: user.roles.join(', ') || '—',
      permissions: user.permissions.size,
      direct: [...user.permissions.values()].filter((v) => v === 'direct grant').length,
      outcome: gone !== undefined ? gone.change : mine.some((d) => d.change === 'permission lost') ? 'lost permissions' : 'kept every permission',
      lost: gone !== undefined ? `all ${user.permissions.size}` : list('permission lost'),
      gained: list('permission gained'),
    };
  });
  const directGrants = profile.has('staffDirectGrants') ? 'roles and direct grants' : 'roles only (the adapter defines no `staffDirectGrants`)';
  const summary =
    failures.length > 0
      ? `${new Set(failures.map((d) => d.user)).size} of ${active} active staff user(s) lost access compared with production: ${failures
          .slice(0, 10)
          .map((d) => `${d.user} ${d.change}${d.permission !== null ? ` ${d.permission} (${d.via})` : ''}`)
          .join('; ')}${failures.length > 10 ? `; and ${failures.length - 10} more` : ''}`
      : `all ${active} active staff user(s) keep every permission they had (${directGrants}); ${differences.length} permission(s) gained`;
  return {
    ...BASE,
    status: failures.length > 0 ? 'failed' : 'passed',
    summary,
    evidence,
    sections: differences.length > 0 ? [{ title: 'Differences from production', rows: differences.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({ ...d, permission: d.permission ?? '—' })) }] : [],
  };
}

/** Every difference of effective permissions for users active in production, users masked. */
export function staffPermissionDifferences(before: ReadonlyMap<string, StaffUser>, after: ReadonlyMap<string, StaffUser>, maskName: (name: string) => string): StaffPermissionDifference[] {
  const differences: StaffPermissionDifference[] = [];
  for (const [name, was] of before) {
    if (!was.active) continue;
    const user = maskName(name);
    const now = after.get(name);
    if (now === undefined || !now.active) {
      differences.push({ user, change: now === undefined ? 'user missing' : 'user deactivated', permission: null, via: was.roles.map((r) => `role ${r}`).join(', ') || 'no role' });
      continue;
    }
    for (const [permission, via] of was.permissions) if (!now.permissions.has(permission)) differences.push({ user, change: 'permission lost', permission, via });
    for (const [permission, via] of now.permissions) if (!was.permissions.has(permission)) differences.push({ user, change: 'permission gained', permission, via });
  }
  return differences;
}

async function readStaff(engine: DatabaseEngine, profile: Profile): Promise<Map<string, StaffUser>> {
  const rolePermissions = new Map<string, string[]>();
  for (const row of await profile.query(engine, 'rolePermissions', {})) {
    if (row.role === null) continue;
    rolePermissions.set(row.role, [...(rolePermissions.get(row.role) ?? []), row.permission]);
  }
  const users = new Map<string, { active: boolean; roles: string[]; permissions: Map<string, string> }>();
  const userOf = (name: string, active: boolean): { active: boolean; roles: string[]; permissions: Map<string, string> } => {
    const user = users.get(name) ?? { active, roles: [], permissions: new Map<string, string>() };
    users.set(name, user);
    return user;
  };
  for (const row of await profile.query(engine, 'staffUsers', {})) {
    const user = userOf(row.user_name, row.active === 1);
    if (row.role === null) continue;
    user.roles.push(row.role);
    for (const permission of rolePermissions.get(row.role) ?? []) if (!user.permissions.has(permission)) user.permissions.set(permission, `role ${row.role}`);
  }
  if (profile.has('staffDirectGrants')) {
    for (const row of await profile.query(engine, 'staffDirectGrants', {})) {
      const user = users.get(row.user_name);
      if (user !== undefined && !user.permissions.has(row.permission)) user.permissions.set(row.permission, 'direct grant');
    }
  }
  return users;
}
