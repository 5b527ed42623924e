import type Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';

export type ReleaseName = 'production' | 'candidate';

export interface Release {
  readonly name: ReleaseName;
  readonly version: string;
}

export const RELEASES: Record<ReleaseName, Release> = {
  production: { name: 'production', version: '7.4.2' },
  candidate: { name: 'candidate', version: '7.5.0' },
};

/** The candidate's fault switches; each makes the bill run wrong in exactly one documented way. */
export const FAULTS = [
  'yearly-next-bill-date-not-advanced',
  'discount-dropped',
  'pool-minutes-per-child',
  'rounding-half-down',
  'event-log-error',
  'provisioning-failed',
] as const;

export type Fault = (typeof FAULTS)[number];

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

/** Brings the database schema up to the release; a no-op when it is there already. */
export function migrateToRelease(db: Database.Database, release: Release): void {
  if (release.name !== 'candidate') return;
  db.transaction(() => {
    const administrator = db.prepare("SELECT id FROM roles WHERE name = 'Administrator'").get() as { id: number } | undefined;
    if (!administrator) throw new Error('the database has no Administrator role; it is not a sample platform database');
    for (const name of CANDIDATE_PERMISSIONS) {
      db.prepare('INSERT OR IGNORE INTO permissions (name) VALUES (?)').run(name);
      const permission = db.prepare('SELECT id FROM permissions WHERE name = ?').get(name) as { id: number };
      db.prepare('INSERT OR IGNORE INTO role_permissions (role_id, permission_id) VALUES (?, ?)').run(administrator.id, permission.id);
    }
    db.prepare("INSERT INTO platform_info (key, value) VALUES ('release', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      release.version,
    );
  })();
}
