import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UserError } from '../../src/errors.js';
import type { PlatformDatabase } from './database/port.js';
import { STATEMENTS as S } from './statements.js';
import { DEFAULT_SENDER } from './billing/outbound-steps.js';
import type { IdRow } from './statements.js';

export type ReleaseName = 'production' | 'candidate';

export interface Release {
  readonly name: ReleaseName;
  readonly version: string;
}

export const RELEASES: Record<ReleaseName, Release> = {
  production: { name: 'production', version: '7.4.2' },
  candidate: { name: 'candidate', version: '7.5.0' },
};

/**
 * The candidate's fault switches; each makes the bill run wrong in exactly one documented way.
 * The list is written once, in the platform's adapter, which the product validates plans against.
 */
export const FAULTS: readonly string[] = (
  parse(readFileSync(fileURLToPath(new URL('../../platforms/sample/adapter.yaml', import.meta.url)), 'utf8')) as { regressionSwitches: { switches: string[] } }
).regressionSwitches.switches;

export type Fault = string;

function isFault(name: string): name is Fault {
  return (FAULTS as readonly string[]).includes(name);
}

export function parseRelease(name: string): Release {
  if (name === 'production' || name === 'candidate') return RELEASES[name];
  throw new UserError(`Unknown release "${name}". Pass --release production (7.4.2) or --release candidate (7.5.0).`);
}

/** Checks fault names given on the command line; only the candidate release has fault switches. */
export function parseFaults(release: Release, names: readonly string[]): ReadonlySet<Fault> {
  const wanted = names.map((n) => n.trim()).filter((n) => n !== '');
  const unknown = wanted.filter((n) => !isFault(n));
  if (unknown.length > 0) {
    throw new UserError(
      `Unknown fault switch${unknown.length > 1 ? 'es' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}. ` +
        `The candidate release knows: ${FAULTS.join(', ')}. Fix the --faults list (comma-separated).`,
    );
  }
  if (wanted.length > 0 && release.name !== 'candidate') {
    throw new UserError(
      `Fault switches exist only in the candidate release, not in ${release.name} ${release.version}. ` +
        'Drop --faults or run with --release candidate.',
    );
  }
  return new Set(wanted.filter(isFault));
}

/** Permissions the candidate adds for its new features, granted to Administrator only. */
export const CANDIDATE_PERMISSIONS = ['Invoices.Preview', 'BillRun.Schedule'] as const;

/** What `read-only-role-gains-permissions` wrongly grants to the ReadOnly role (which it already has). */
export const READ_ONLY_ROLE = 'ReadOnly';
export const WRONGLY_GRANTED_PERMISSIONS = ['Settings.Edit', 'Payments.Refund'] as const;

/** Brings the database schema up to the release; a no-op when it is there already. */
export async function migrateToRelease(db: PlatformDatabase, release: Release, faults: ReadonlySet<Fault> = new Set()): Promise<void> {
  if (release.name !== 'candidate') return;
  await db.transaction(async (tx) => {
    const administrator = await tx.get<IdRow>(S.administratorRole);
    if (!administrator) throw new Error('the database has no Administrator role; it is not a sample platform database');
    for (const name of CANDIDATE_PERMISSIONS) {
      await tx.run(S.addPermission, name, name);
      const permission = await tx.get<IdRow>(S.permissionId, name);
      if (!permission) throw new Error(`permission ${name} is missing right after it was added`);
      await tx.run(S.grantPermission, administrator.id, permission.id, administrator.id, permission.id);
    }
    if (faults.has('read-only-role-gains-permissions')) await grantToReadOnly(tx);
    // A clean-up of "orphan" grants gone wrong: the first staff user with direct grants loses them all.
    if (faults.has('staff-direct-grant-revoked')) await tx.run(S.revokeFirstDirectGrants);
    // A data fix aimed at one senior agent that lands on the first active read-only clerk instead.
    if (faults.has('staff-direct-grant-added')) await tx.run(S.grantRefundToFirstReadOnlyUser);
    // A migration meant for a European installation that runs everywhere: the platform now bills in euros.
    if (faults.has('currency-setting-migrated')) await tx.run(S.setCurrencyToEuro);
    // A settings reset to the release's defaults: invoices now go out from its built-in sender.
    if (faults.has('sender-setting-migrated')) await tx.run(S.setMailSender, DEFAULT_SENDER);
    // Update, else insert: an upsert both engines spell the same way.
    if ((await tx.run(S.setRelease, release.version)) === 0) await tx.run(S.addRelease, release.version);
  });
}

/** The migration's mistake under `read-only-role-gains-permissions`: existing permissions granted to a read-only role. */
async function grantToReadOnly(tx: PlatformDatabase): Promise<void> {
  const role = await tx.get<IdRow>(S.roleId, READ_ONLY_ROLE);
  if (!role) throw new Error(`the database has no ${READ_ONLY_ROLE} role; it is not a sample platform database`);
  for (const name of WRONGLY_GRANTED_PERMISSIONS) {
    const permission = await tx.get<IdRow>(S.permissionId, name);
    if (!permission) throw new Error(`the database has no permission ${name}; it is not a sample platform database`);
    await tx.run(S.grantPermission, role.id, permission.id, role.id, permission.id);
  }
}
