import type { DatabasePlan } from '../plan/types.js';
import { SafetyError } from '../errors.js';

/** Host names compare without case, a trailing root dot or a `tcp:` prefix. */
function normalizeHost(host: string): string {
  return host.trim().replace(/^tcp:/i, '').replace(/\.$/, '').toLowerCase();
}

/**
 * Refuses any SQL Server other than the one the plan names as the rehearsal target. The
 * connection string comes from the environment, so a copy-paste of production's would otherwise
 * point every later stage at production.
 */
export function assertRehearsalServer(database: DatabasePlan, connectingTo: string, planFile: string): void {
  if (database.server === undefined || database.server.trim() === '') {
    throw new SafetyError(
      `Refusing to connect to SQL Server ${connectingTo}: ${planFile} names no rehearsal target in database.server. ` +
        'Add the host name of the rehearsal server there; the run writes only to the server it names.',
      2,
    );
  }
  if (normalizeHost(database.server) !== normalizeHost(connectingTo)) {
    throw new SafetyError(
      `Refusing to connect to SQL Server ${connectingTo}: ${planFile} names ${database.server} as the rehearsal target, and the run writes to no other server. ` +
        `Point the connection string in ${database.connectionStringEnv ?? 'the environment'} at ${database.server}, or correct database.server if the rehearsal server moved.`,
      2,
    );
  }
}
