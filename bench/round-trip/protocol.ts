import { deserialize, serialize } from 'node:v8';
import type { Socket } from 'node:net';
import type { Row } from '../../src/engine/types.js';
import type { SqlValue } from '../../src/sql/fragment.js';

/**
 * The bench's wire protocol between a client and its SQLite "database server": one request at a
 * time, each a 4-byte big-endian length and a V8-serialized message (which carries bigints and
 * buffers, unlike JSON), answered by one message of the same shape.
 */
export type Request =
  | { readonly op: 'ping' }
  /** A prepared statement with named parameters; rows for a query, the changed-row count otherwise. */
  | { readonly op: 'run'; readonly text: string; readonly params: Readonly<Record<string, SqlValue>> }
  /** Statements without parameters (BEGIN, COMMIT). */
  | { readonly op: 'exec'; readonly text: string };

export type Response = { readonly ok: true; readonly rows?: Row[]; readonly changes?: number } | { readonly ok: false; readonly error: string };

const HEADER_BYTES = 4;

export function frame(message: Request | Response): Buffer {
  const body = serialize(message);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Calls `onMessage` with every whole message that arrives on `socket`, in order. */
export function readFrames<T>(socket: Socket, onMessage: (message: T) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const length = pending.readUInt32BE(0);
      if (pending.length < HEADER_BYTES + length) break;
      const body = pending.subarray(HEADER_BYTES, HEADER_BYTES + length);
      pending = pending.subarray(HEADER_BYTES + length);
      onMessage(deserialize(body) as T);
    }
  });
}
