import { promises as dns } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

/** A connection that never got going: name not resolved, refused, unreachable or timed out. */
export class ConnectError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`${endpoint} unreachable (${reason})`);
    this.name = 'ConnectError';
  }
}

const CONNECT_FAILURE_CODES = new Set([
  'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL',
  'EPERM', 'EACCES',
  // nodemailer's names for the same thing
  'ECONNECTION', 'ESOCKET', 'EDNS',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isConnectFailure(error: unknown): boolean {
  const code = codeOf(error);
  return error instanceof ConnectError || (code !== undefined && CONNECT_FAILURE_CODES.has(code));
}

export function describeError(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Per bill run memory of the network: each host name is resolved once, and an endpoint that could
 * not be reached is not tried again, so a run with no network finishes fast. The first attempt
 * on an endpoint goes alone; the rest wait for its outcome.
 */
export class Reachability {
  private readonly resolved = new Map<string, Promise<LookupAddress[]>>();
  private readonly firstAttempt = new Map<string, Promise<void>>();
  private readonly unreachable = new Map<string, Error>();

  resolve(hostname: string): Promise<LookupAddress[]> {
    const family = isIP(hostname);
    if (family !== 0) return Promise.resolve([{ address: hostname, family }]);
    let answer = this.resolved.get(hostname);
    if (!answer) {
      answer = dns.lookup(hostname, { all: true }).then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        return addresses;
      });
      // The rejection is read by every caller; this keeps an unread one from crashing the process.
      answer.catch(() => undefined);
      this.resolved.set(hostname, answer);
    }
    return answer;
  }

  /** A `lookup` for net/tls/https options that answers from this run's cache. */
  readonly lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    this.resolve(hostname).then(
      (addresses) => {
        const first = addresses[0] as LookupAddress;
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : ''),
    );
  };

  /** Runs `attempt` against `endpoint` unless it is already known to be unreachable. */
  async through<T>(endpoint: string, attempt: () => Promise<T>): Promise<T> {
    const first = this.firstAttempt.get(endpoint);
    if (first) await first;
    const known = this.unreachable.get(endpoint);
    if (known) throw known;
    const result = attempt().catch((error: unknown) => {
      if (isConnectFailure(error)) {
        this.unreachable.set(endpoint, new ConnectError(endpoint, describeError(error)));
      }
      throw error;
    });
    if (!first) {
      this.firstAttempt.set(
        endpoint,
        result.then(
          () => undefined,
          () => undefined,
        ),
      );
    }
    return result;
  }
}
