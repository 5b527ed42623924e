import type { DatabaseEngine } from '../engine/types.js';
import type { ExpectedPermissionChange, ExpectedStaffPermissionChange } from '../plan/types.js';
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
  /** For a gained permission: what accounts for it. Undefined for a gain nothing accounts for, which fails like a loss. */
  readonly explained?: string;
}

/** A user's effective permissions and where each comes from. */
export interface StaffUser {
  readonly active: boolean;
  readonly roles: readonly string[];
  /** permission → how it is held (`role X`, `direct grant`), first source found. */
  readonly permissions: ReadonlyMap<string, string>;
  /** Permissions granted to the user directly. */
  readonly direct: ReadonlySet<string>;
}

/** One side's staff: users by login, and each role's permissions. */
export interface StaffSnapshot {
  readonly users: ReadonlyMap<string, StaffUser>;
  readonly roleGrants: ReadonlyMap<string, ReadonlySet<string>>;
}

/** What may explain a gained permission. */
export interface StaffExpectations {
  /** `verify.expectedStaffPermissionChanges`. */
  readonly staff: readonly ExpectedStaffPermissionChange[];
  /** `verify.expectedPermissionChanges`: a user gaining a role's expected grant is as expected. */
  readonly roles: readonly ExpectedPermissionChange[];
  /** Whether role-permissions runs (the profile has `roles`), and so fails grants to existing roles the plan does not expect. */
  readonly roleCheckRuns: boolean;
}

const BASE = { id: 'staff-users', title: 'Every active staff user keeps the effective permissions they had in production (roles and direct grants), and gains only what the plan expects' } as const;

/**
 * Staff users after the upgrade against production's result, through the profile: every user
 * active in production must still exist, be active, and hold every permission they held there,
 * whether through a role or a direct grant (`staffDirectGrants`, when the platform has them). A
 * lost permission or user fails. So does a gained one (a read-only clerk who can suddenly refund
 * payments), unless the plan expects it (`verify.expectedStaffPermissionChanges`, by user or role,
 * with a reason or a release note) or it comes from a new grant to a role the user already held:
 * that grant is role-permissions' to judge, and failing it here too would count one cause twice.
 * A user active only in the rehearsal (created or reactivated) gains every permission they hold.
 * An expectation that matched no gain is a warning (a typo, or the release did not do it). User
 * names are shown masked with `maskName`.
 */
export async function checkStaffUsers(rehearsal: DatabaseEngine, production: DatabaseEngine, profile: Profile, maskName: (name: string) => string, expected: Omit<StaffExpectations, 'roleCheckRuns'>): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, BASE, ['staffUsers', 'rolePermissions']);
  if (unconfigured !== undefined) return unconfigured;
  const [before, after] = await Promise.all([readStaff(production, profile), readStaff(rehearsal, profile)]);
  const { differences, unmatched } = staffPermissionDifferences(before, after, maskName, { ...expected, roleCheckRuns: profile.has('roles') });
  const lost = differences.filter((d) => d.change !== 'permission gained');
  const unexpected = differences.filter((d) => d.change === 'permission gained' && d.explained === undefined);
  const users = [...before.users.entries()].filter(([, u]) => u.active).map(([name, u]) => ({ name, user: u }));
  const active = users.length;
  const evidence = users.slice(0, MAX_EVIDENCE_ROWS).map(({ name, user }) => {
    const masked = maskName(name);
    const mine = differences.filter((d) => d.user === masked);
    const list = (change: StaffPermissionDifference['change']): string =>
      mine
        .filter((d) => d.change === change)
        .map((d) => `${d.permission ?? ''} (${d.via}${d.change === 'permission gained' && d.explained === undefined ? ', not expected' : ''})`)
        .join(', ') || '—';
    const gone = mine.find((d) => d.change === 'user missing' || d.change === 'user deactivated');
    const outcome =
      gone !== undefined
        ? gone.change
        : mine.some((d) => d.change === 'permission lost')
          ? 'lost permissions'
          : mine.some((d) => d.change === 'permission gained' && d.explained === undefined)
            ? 'gained permissions the plan does not expect'
            : 'kept every permission';
    return {
      user: masked,
      roles: user.roles.join(', ') || '—',
      permissions: user.permissions.size,
      direct: user.direct.size,
      outcome,
      lost: gone !== undefined ? `all ${user.permissions.size}` : list('permission lost'),
      gained: list('permission gained'),
    };
  });
  const directGrants = profile.has('staffDirectGrants') ? 'roles and direct grants' : 'roles only (the adapter defines no `staffDirectGrants`)';
  const named = (list: readonly StaffPermissionDifference[]): string =>
    `${list
      .slice(0, 10)
      .map((d) => `${d.user} ${d.change}${d.permission !== null ? ` ${d.permission} (${d.via})` : ''}`)
      .join('; ')}${list.length > 10 ? `; and ${list.length - 10} more` : ''}`;
  const usersIn = (list: readonly StaffPermissionDifference[]): number => new Set(list.map((d) => d.user)).size;
  const problems = [
    ...(lost.length > 0 ? [`${usersIn(lost)} of ${active} active staff user(s) lost access compared with production: ${named(lost)}`] : []),
    ...(unexpected.length > 0
      ? [`${usersIn(unexpected)} staff user(s) gained permissions that neither verify.expectedStaffPermissionChanges nor a grant to a role they held explains: ${named(unexpected)}`]
      : []),
  ];
  const gained = differences.filter((d) => d.change === 'permission gained');
  const notSeen = unmatched.length > 0 ? [`${unmatched.length} expected staff permission change(s) not seen: ${unmatched.map((e) => `${e.permission} for ${whoExpected(e, before, maskName)}`).join(', ')}`] : [];
  const summary = [
    ...(problems.length > 0 ? problems : [`all ${active} active staff user(s) keep every permission they had (${directGrants}); ${gained.length} permission(s) gained, each expected or from a grant to a role they held`]),
    ...notSeen,
  ].join('; ');
  return {
    ...BASE,
    status: problems.length > 0 ? 'failed' : notSeen.length > 0 ? 'warning' : 'passed',
    summary,
    evidence,
    sections:
      differences.length > 0
        ? [
            {
              title: 'Differences from production',
              rows: differences.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({
                user: d.user,
                change: d.change,
                permission: d.permission ?? '—',
                via: d.via,
                verdict: d.explained ?? (d.change === 'permission gained' ? 'fails: not expected by the plan' : 'fails'),
              })),
            },
          ]
        : [],
  };
}

/**
 * Every difference of effective permissions, users masked, each gain with what explains it; and
 * the plan's staff expectations no gain matched. Users active in production are compared with
 * themselves; a user active only in the rehearsal (created or reactivated by the release) gains
 * every permission they hold. A gain is explained when a role the user held on both sides grants
 * it in the rehearsal (expected by `expectedPermissionChanges`, or left to role-permissions when
 * it runs), else when an entry of `expectedStaffPermissionChanges` names the permission and the
 * user (login or masked login) or a role the user holds in the rehearsal.
 */
export function staffPermissionDifferences(
  before: StaffSnapshot,
  after: StaffSnapshot,
  maskName: (name: string) => string,
  expected: StaffExpectations,
): { differences: StaffPermissionDifference[]; unmatched: ExpectedStaffPermissionChange[] } {
  const differences: StaffPermissionDifference[] = [];
  const used = new Set<ExpectedStaffPermissionChange>();
  const roleReasons = new Map(expected.roles.map((e) => [`${e.role}\u0000${e.permission}`, e.reason]));
  const gain = (name: string, was: StaffUser | undefined, now: StaffUser, permission: string): StaffPermissionDifference => {
    const user = maskName(name);
    const grantingRoles = now.roles.filter((r) => after.roleGrants.get(r)?.has(permission) === true);
    const heldRole = was === undefined ? undefined : grantingRoles.find((r) => was.roles.includes(r));
    if (heldRole !== undefined) {
      const reason = roleReasons.get(`${heldRole}\u0000${permission}`);
      const explained = reason !== undefined ? `expected for role ${heldRole}: ${reason}` : expected.roleCheckRuns ? `a new grant to role ${heldRole}, judged by role-permissions` : undefined;
      return { user, change: 'permission gained', permission, via: `role ${heldRole}`, ...(explained !== undefined ? { explained } : {}) };
    }
    const how = now.direct.has(permission) ? 'direct grant' : `role ${grantingRoles[0] ?? '?'}`;
    const via = was === undefined ? `${how}, of a user not active in production` : now.direct.has(permission) ? how : `${how}, which the user did not hold in production`;
    const match = expected.staff.find((e) => e.permission === permission && (e.user !== undefined ? e.user === name || e.user === user : now.roles.includes(e.role ?? '')));
    if (match !== undefined) used.add(match);
    return { user, change: 'permission gained', permission, via, ...(match !== undefined ? { explained: `expected by the plan: ${match.reason}` } : {}) };
  };
  for (const [name, was] of before.users) {
    if (!was.active) continue;
    const now = after.users.get(name);
    if (now === undefined || !now.active) {
      differences.push({ user: maskName(name), change: now === undefined ? 'user missing' : 'user deactivated', permission: null, via: was.roles.map((r) => `role ${r}`).join(', ') || 'no role' });
      continue;
    }
    for (const [permission, via] of was.permissions) if (!now.permissions.has(permission)) differences.push({ user: maskName(name), change: 'permission lost', permission, via });
    for (const permission of now.permissions.keys()) if (!was.permissions.has(permission)) differences.push(gain(name, was, now, permission));
  }
  for (const [name, now] of after.users) {
    if (!now.active || before.users.get(name)?.active === true) continue;
    for (const permission of now.permissions.keys()) differences.push(gain(name, undefined, now, permission));
  }
  return { differences, unmatched: expected.staff.filter((e) => !used.has(e)) };
}

/** An expectation's user as the report may show it: masked, unless the plan already wrote the masked form. */
function whoExpected(expectation: ExpectedStaffPermissionChange, before: StaffSnapshot, maskName: (name: string) => string): string {
  if (expectation.role !== undefined) return `role ${expectation.role}`;
  const given = expectation.user ?? '';
  const alreadyMasked = [...before.users.keys()].some((name) => maskName(name) === given);
  return `user ${alreadyMasked ? given : maskName(given)}`;
}

async function readStaff(engine: DatabaseEngine, profile: Profile): Promise<StaffSnapshot> {
  const roleGrants = new Map<string, Set<string>>();
  for (const row of await profile.query(engine, 'rolePermissions', {})) {
    if (row.role === null) continue;
    roleGrants.set(row.role, (roleGrants.get(row.role) ?? new Set()).add(row.permission));
  }
  const users = new Map<string, { active: boolean; roles: string[]; permissions: Map<string, string>; direct: Set<string> }>();
  for (const row of await profile.query(engine, 'staffUsers', {})) {
    const user = users.get(row.user_name) ?? { active: row.active === 1, roles: [], permissions: new Map<string, string>(), direct: new Set<string>() };
    users.set(row.user_name, user);
    if (row.role === null) continue;
    user.roles.push(row.role);
    for (const permission of roleGrants.get(row.role) ?? []) if (!user.permissions.has(permission)) user.permissions.set(permission, `role ${row.role}`);
  }
  if (profile.has('staffDirectGrants')) {
    for (const row of await profile.query(engine, 'staffDirectGrants', {})) {
      const user = users.get(row.user_name);
      if (user === undefined) continue;
      user.direct.add(row.permission);
      if (!user.permissions.has(row.permission)) user.permissions.set(row.permission, 'direct grant');
    }
  }
  return { users, roleGrants };
}
