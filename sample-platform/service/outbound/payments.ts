import { request } from 'node:https';
import type { Gateway } from '../settings.js';
import { ConnectError } from './reachability.js';
import type { Reachability } from './reachability.js';

const TIMEOUT_MS = 2000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/** What goes to the gateway: a token or bank digits, never a full card or account number. */
export type ChargeRequest = {
  readonly invoice: string;
  readonly amount_cents: number;
  readonly currency: string;
  /** Sent only by the `charge-authorize-only` regression: the gateway authorizes and never captures. */
  readonly capture?: false;
} & ({ readonly token: string; readonly last4: string } | { readonly routing_last4: string });

/** How the request is sent: what the gateway authenticates and deduplicates it by. */
export interface ChargeSending {
  /** The gateway deduplicates by it (Stripe's `Idempotency-Key`): a retry with the same key charges once. None: not sent. */
  readonly idempotencyKey?: string;
  /** Whether the `Authorization` header is sent (only the `charge-without-credentials` regression leaves it out). */
  readonly credentials: boolean;
}

export type ChargeOutcome = { readonly approved: true } | { readonly approved: false; readonly reason: string };

/** POSTs the charge to the processor's URL over HTTPS; 2xx with {"approved":true} is an approval. */
export function charge(reach: Reachability, gateway: Gateway, body: ChargeRequest, sending: ChargeSending): Promise<ChargeOutcome> {
  const url = new URL(gateway.url);
  const endpoint = `${url.hostname}:${url.port || '443'}`;
  const payload = JSON.stringify(body);
  return reach.through(
    endpoint,
    () =>
      new Promise<ChargeOutcome>((resolve, reject) => {
        let connected = false;
        const req = request(
          url,
          {
            method: 'POST',
            lookup: reach.lookup,
            timeout: TIMEOUT_MS,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(payload),
              ...(sending.credentials ? { Authorization: `Bearer ${gateway.apiKey}` } : {}),
              ...(sending.idempotencyKey === undefined ? {} : { 'Idempotency-Key': sending.idempotencyKey }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
            });
            res.on('end', () => resolve(readOutcome(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
            res.on('error', reject);
          },
        );
        req.on('socket', (socket) => {
          // A kept-alive socket is already connected and will not emit 'connect' again.
          if (socket.connecting) socket.once('connect', () => (connected = true));
          else connected = true;
        });
        req.on('timeout', () =>
          req.destroy(connected ? new Error(`${endpoint} did not answer in time`) : new ConnectError(endpoint, 'connect timeout')),
        );
        req.on('error', reject);
        req.end(payload);
      }),
  );
}

function readOutcome(status: number, text: string): ChargeOutcome {
  if (status < 200 || status >= 300) return { approved: false, reason: `gateway answered HTTP ${status}` };
  try {
    const parsed = JSON.parse(text) as { approved?: unknown };
    return parsed.approved === true ? { approved: true } : { approved: false, reason: 'declined by the gateway' };
  } catch {
    return { approved: false, reason: 'gateway answer was not JSON' };
  }
}
