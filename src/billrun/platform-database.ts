import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Plan } from '../plan/types.js';
import type { RunState } from '../run/run-folder.js';
import type { Sandbox, SandboxOptions } from '../sandbox/sandbox.js';
import { planConnection } from '../engine/mssql/from-plan.js';
import { resolveConnection } from '../engine/mssql/config.js';
import { currentSqlServerCopy } from '../engine/run-databases.js';
import { UserError } from '../errors.js';

/** The database the platform's billing service bills: a SQLite file, or the run's copy on SQL Server. */
export type PlatformDatabase = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'mssql'; readonly connectionString: string };

/** Environment variable the service reads its connection string from, so it never appears on a command line. */
export const PLATFORM_CONNECTION_ENV = 'REHEARSAL_PLATFORM_DB';

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/**
 * Where the sandbox must let the platform reach SQL Server: the server's port at its address,
 * through a veth link. A server on this host (loopback) is reached at the link's host end, so it
 * must listen on all addresses (SQL Server's default) rather than on loopback only.
 */
export async function sandboxDatabaseFor(plan: Plan, env: NodeJS.ProcessEnv = process.env): Promise<SandboxOptions['database']> {
  if (plan.database.engine !== 'mssql') return undefined;
  const { target } = resolveConnection(planConnection(plan, env));
  const address = isIP(target.server) !== 0 ? target.server : target.server === 'localhost' ? '127.0.0.1' : await resolveServer(target.server);
  const host = isIP(target.server) === 0 ? { host: target.server } : {};
  return isLoopback(address) ? { port: target.port, ...host } : { port: target.port, address, ...host };
}

async function resolveServer(host: string): Promise<string> {
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (error) {
    throw new UserError(
      `Cannot resolve the SQL Server host ${host} from the connection string (${(error as NodeJS.ErrnoException).code ?? String(error)}), so the sandbox cannot be given a link to it. ` +
        'Check the name, or use the server address in the connection string and in database.server.',
    );
  }
}

/**
 * The connection the billing service gets: the plan's string with the server and database of this
 * run's copy appended (for ADO strings the last value of a key wins). A server on loopback becomes
 * the veth link's host end, the only way out of the sandbox to this host.
 */
export function platformDatabaseFor(plan: Plan, state: RunState, sandbox: Sandbox, env: NodeJS.ProcessEnv = process.env): PlatformDatabase {
  if (plan.database.engine === 'sqlite') {
    if (state.databasePath === undefined) throw new Error('the bill run needs the restored SQLite copy');
    return { kind: 'sqlite', path: state.databasePath };
  }
  const copy = currentSqlServerCopy(state);
  if (copy === undefined || sandbox.database === undefined) throw new Error('the bill run needs the restored SQL Server copy and the sandbox link to its server');
  const connection = planConnection(plan, env);
  const { target } = resolveConnection(connection);
  const server = sandbox.database.address === sandbox.database.link.hostAddress ? sandbox.database.link.hostAddress : target.server;
  return { kind: 'mssql', connectionString: `${connection.connectionString};Server=${server},${sandbox.database.port};Database=${braced(copy.database)}` };
}

/** An ADO connection-string value in braces, a literal `}` doubled, so `;` or `=` in it stay part of the value. */
function braced(value: string): string {
  return `{${value.replaceAll('}', '}}')}}`;
}
