import { UserError } from '../../errors.js';
import { describeTarget, type MssqlTarget } from './config.js';

interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly originalError?: { readonly message?: unknown; readonly code?: unknown; readonly cause?: SocketFailure };
}

/** tedious keeps the socket's errors as the cause, one per address tried (an AggregateError). */
interface SocketFailure {
  readonly code?: unknown;
  readonly errors?: readonly { readonly code?: unknown }[];
}

export interface ConnectAttempt {
  readonly target: MssqlTarget;
  /** The SQL login (user name) of the connection string; never its password. */
  readonly login: string | undefined;
  /** Where the connection string came from, e.g. "environment variable REHEARSAL_MSSQL_URL". */
  readonly source: string;
  readonly trustServerCertificate: boolean;
  readonly connectionTimeoutMs: number;
}

const CERTIFICATE = /certificate|self[- ]signed|unable to verify|CERT_|ERR_TLS/i;
/** Socket errors worth naming; they never carry the connection string. */
const SOCKET_ERROR = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT)\b/;

/**
 * Turns a failed pool connect into one paragraph: which server, which login, what to check. A
 * failed connect is always about the server or the connection string, never a bug here. The
 * driver's own text is left out: it can echo the connection string, password included.
 */
export function connectError(error: unknown, attempt: ConnectAttempt): UserError {
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const cause = e.originalError?.cause;
  const text = [e.message, e.originalError?.message, e.originalError?.code, cause?.code, ...(cause?.errors ?? []).map((s) => s.code)].filter((m) => typeof m === 'string').join(' ');
  const where = `${describeTarget(attempt.target)}${attempt.login !== undefined ? ` (login ${attempt.login})` : ''}`;
  const { source } = attempt;
  if (CERTIFICATE.test(text)) {
    return new UserError(
      `${where} presented a TLS certificate this host does not trust (trustServerCertificate is ${attempt.trustServerCertificate}, and false unless you set it). ` +
        'Install the CA that signed the server certificate (for RDS, the AWS RDS CA bundle via NODE_EXTRA_CA_CERTS), or, for a throwaway test server only, ' +
        `add TrustServerCertificate=true to the connection string in ${source}.`,
    );
  }
  if (code === 'ELOGIN') {
    return new UserError(`${where} refused the login. Check the user name and password in the connection string in ${source}, and that this login may connect to the database it names.`);
  }
  const socketError = SOCKET_ERROR.exec(text)?.[1];
  if (socketError === 'ECONNREFUSED') {
    return new UserError(
      `${where} refused the connection: nothing accepts TCP connections on that port. Check the server name and port in ${source}, ` +
        'that SQL Server is running with TCP/IP enabled on that port, and that no firewall rejects this host.',
    );
  }
  if (code === 'ETIMEOUT' || code === 'ESOCKET' || code === 'EINSTLOOKUP' || socketError !== undefined) {
    return new UserError(
      `Cannot reach ${where} (${code === 'ETIMEOUT' ? `no answer within ${Math.round(attempt.connectionTimeoutMs / 1000)} s` : (socketError ?? code)}). Check the server name and port in ${source}, ` +
        'that SQL Server accepts TCP connections there, and that this host is inside the rehearsal network that may reach it.',
    );
  }
  return new UserError(
    `Cannot connect to ${where}${code !== '' ? ` (${code})` : ''}. Check the connection string in ${source} (server, port, login, Encrypt), ` +
      "and the server's error log for the refused connection.",
  );
}
