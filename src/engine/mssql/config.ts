import { mssqlDriver } from './module.js';
import type { ConnectionPool as MssqlConnectionPool } from 'mssql';
import type { config as MssqlConfig } from 'mssql';
import { UserError } from '../../errors.js';

export interface MssqlConnectionOptions {
  /** ADO-style connection string (`Server=host,port;Database=...;User Id=...;Password=...`). */
  readonly connectionString: string;
  /** Where the string came from, for messages (e.g. "environment variable REHEARSAL_MSSQL_URL"). */
  readonly connectionStringSource: string;
  /** Database to open instead of the connection string's (the restored copy, or master for restores). */
  readonly database?: string;
  /** TLS for the connection; true unless set. */
  readonly encrypt?: boolean;
  /** Accept a certificate no trusted CA signed. False unless set, here or in the connection string. */
  readonly trustServerCertificate?: boolean;
  readonly connectionTimeoutMs?: number;
  /** Per statement; 0 means no limit. Sanitize UPDATEs on large tables run for a long time. */
  readonly requestTimeoutMs?: number;
  readonly poolMax?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
/** A host name, IPv4 or bracket-free IPv6 address: what a server in a connection string can be. */
const SERVER_NAME = /^[A-Za-z0-9_.:-]{1,253}$/;
export const DEFAULT_REQUEST_TIMEOUT_MS = 6 * 60 * 60 * 1000;
export const DEFAULT_POOL_MAX = 4;

/** Where the engine connects, without credentials: safe to print. */
export interface MssqlTarget {
  readonly server: string;
  readonly port: number;
  readonly instanceName?: string;
  readonly database?: string;
}

export interface ResolvedConnection {
  readonly config: MssqlConfig;
  readonly target: MssqlTarget;
  readonly trustServerCertificate: boolean;
}

export function resolveConnection(options: MssqlConnectionOptions): ResolvedConnection {
  const parsed = parseConnectionString(options);
  const trustServerCertificate = options.trustServerCertificate ?? parsed.options.trustServerCertificate ?? false;
  const database = options.database ?? parsed.database;
  const config: MssqlConfig = {
    ...parsed,
    ...(database !== undefined ? { database } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? parsed.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    pool: { ...parsed.pool, max: options.poolMax ?? DEFAULT_POOL_MAX, min: 0 },
    options: {
      ...parsed.options,
      encrypt: options.encrypt ?? parsed.options.encrypt ?? true,
      trustServerCertificate,
      appName: 'rehearsal',
    },
  };
  const instanceName = parsed.options.instanceName;
  const target: MssqlTarget = {
    server: parsed.server,
    port: parsed.port ?? 1433,
    ...(instanceName !== undefined ? { instanceName } : {}),
    ...(database !== undefined ? { database } : {}),
  };
  return { config, target, trustServerCertificate };
}

function parseConnectionString(options: MssqlConnectionOptions): ReturnType<typeof MssqlConnectionPool.parseConnectionString> {
  let parsed: ReturnType<typeof MssqlConnectionPool.parseConnectionString> | undefined;
  try {
    parsed = mssqlDriver().ConnectionPool.parseConnectionString(options.connectionString);
  } catch {
    // the driver's message may quote the string, password included, so it is not passed on
  }
  // An empty `Server=` makes the parser take the next pair (perhaps the password) as the host name.
  if (parsed === undefined || typeof parsed.server !== 'string' || !SERVER_NAME.test(parsed.server)) {
    throw new UserError(
      `The SQL Server connection string in ${options.connectionStringSource} could not be read or names no server. ` +
        'Use the ADO form `Server=host,port;Database=name;User Id=user;Password=secret;Encrypt=true` ' +
        '(wrap a password containing `;` in braces: `Password={a;b}`).',
    );
  }
  return parsed;
}

export function describeTarget(target: MssqlTarget): string {
  const instance = target.instanceName !== undefined ? `\\${target.instanceName}` : '';
  const database = target.database !== undefined ? ` database ${target.database}` : '';
  return `SQL Server ${target.server}${instance}:${target.port}${database}`;
}
