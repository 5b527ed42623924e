import type { Socket } from 'node:net';
import type { SinkholeConfig } from './config.js';
import type { Attribution } from './attribution.js';
import type { LedgerDestination, LedgerWriter } from './ledger.js';

/** What every listener shares: the run's settings, the ledger and, when TLS is terminated, the server key pair. */
export interface SinkholeContext {
  readonly config: SinkholeConfig;
  /** Sinkhole address → host name; refreshed in place when the sandbox adds hosts (SIGHUP). */
  readonly hosts: Map<string, string>;
  readonly ledger: LedgerWriter;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  readonly attribution: Attribution;
}

let isoMs = 0;
let isoText = '';

/**
 * The time for a ledger entry, as ISO 8601 with milliseconds. Formatting a date was a tenth of
 * the sinkholes' own work per connection; at thousands of connections a second several share a
 * millisecond, so the last text is reused while the millisecond is the same.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

export function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

export function destinationOf(ctx: SinkholeContext, socket: Socket): LedgerDestination {
  const address = plainAddress(socket.localAddress);
  return { host: ctx.hosts.get(address) ?? address, address, port: socket.localPort ?? 0, protocol: 'tcp' };
}

export function peerOf(socket: Socket): { address: string; port: number } {
  return { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
}

/**
 * Collects what a client sends first, until `enough` says so, `max` bytes arrived, the client
 * stops, or `waitMs` passes, then calls `done` with it. The socket is left paused so a protocol
 * handler can take it over. A callback, not a promise: this runs for every connection.
 */
export function firstBytes(
  socket: Socket,
  options: { readonly enough: (data: Buffer) => boolean; readonly max: number; readonly waitMs: number },
  done: (data: Buffer) => void,
): void {
  let data: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', finish);
    socket.off('close', finish);
    socket.pause();
    done(data);
  };
  const onData = (chunk: Buffer): void => {
    data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
    if (data.length >= options.max || options.enough(data)) finish();
  };
  const timer = setTimeout(finish, options.waitMs);
  socket.on('data', onData);
  socket.once('end', finish);
  socket.once('close', finish);
  // Errors (resets) end the wait through 'close'; this keeps them from being unhandled.
  socket.on('error', () => undefined);
}
