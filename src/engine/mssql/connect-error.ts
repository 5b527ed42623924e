import { UserError } from '../../errors.js';
import { describeTarget, type MssqlTarget } from './config.js';

interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly originalError?: { readonly message?: unknown; readonly code?: unknown };
}

const CERTIFICATE = /certificate|self[- ]signed|unable to verify|CERT_|ERR_TLS/i;

/**
 * Turns a failed pool connect into one paragraph that says what to check. The driver's own text
 * is left out: it can echo the connection string, password included.
 */
export function connectError(error: unknown, target: MssqlTarget, source: string, trustServerCertificate: boolean, connectionTimeoutMs: number): Error {
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const text = [e.message, e.originalError?.message, e.originalError?.code].filter((m) => typeof m === 'string').join(' ');
  const where = describeTarget(target);
  if (CERTIFICATE.test(text)) {
    return new UserError(
      `${where} presented a TLS certificate this host does not trust (trustServerCertificate is ${trustServerCertificate}, and false unless you set it). ` +
        'Install the CA that signed the server certificate (for RDS, the AWS RDS CA bundle via NODE_EXTRA_CA_CERTS), or, for a throwaway test server only, ' +
        `add TrustServerCertificate=true to the connection string in ${source}.`,
    );
  }
  if (code === 'ELOGIN') {
    return new UserError(
      `${where} refused the login. Check the user name and password in the connection string in ${source}, ` +
        'and that this login may connect to the database it names.',
    );
  }
  if (code === 'ETIMEOUT' || code === 'ESOCKET' || code === 'EINSTLOOKUP') {
    return new UserError(
      `Cannot reach ${where} (no answer within ${Math.round(connectionTimeoutMs / 1000)} s). Check the server name and port in ${source}, ` +
        'that SQL Server accepts TCP connections there, and that this host is inside the rehearsal network that may reach it.',
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
