import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Response } from './controller.js';

/** Longest request line accepted; control requests are tiny, so anything longer is a mistake. */
const MAX_LINE_BYTES = 64 * 1024;

export interface ControlHandlers {
  handle(request: unknown): Promise<Response>;
  /** Called for {"command":"stop"} after the reply is written. */
  stop(): void;
  /** Told about an exception a request raised, so its stack reaches the log. */
  onUnexpected(error: unknown): void;
}

/** Newline-delimited JSON over a Unix socket: one request per line, one reply line each. */
export function createControlServer(handlers: ControlHandlers): Server {
  return createServer((socket) => serve(socket, handlers));
}

function serve(socket: Socket, handlers: ControlHandlers): void {
  let buffered = '';
  // Requests on one connection are answered one after the other, so replies keep their order.
  let answered: Promise<void> = Promise.resolve();
  socket.setEncoding('utf8');
  const reply = (response: Response, done?: () => void): void => {
    socket.write(`${JSON.stringify(response)}\n`, () => done?.());
  };
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') answered = answered.then(() => answer(line, reply, handlers)).catch((error: unknown) => handlers.onUnexpected(error));
    }
    if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) {
      buffered = '';
      answered = answered.then(() => reply({ ok: false, error: `request line longer than ${MAX_LINE_BYTES} bytes; send one small JSON object per line` }));
    }
  });
  socket.on('error', () => socket.destroy());
}

async function answer(line: string, reply: (response: Response, done?: () => void) => void, handlers: ControlHandlers): Promise<void> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch (error) {
    reply({ ok: false, error: `request is not valid JSON (${(error as Error).message}); send one JSON object per line` });
    return;
  }
  if ((request as { command?: unknown } | null)?.command === 'stop') {
    reply({ ok: true }, () => handlers.stop());
    return;
  }
  try {
    reply(await handlers.handle(request));
  } catch (error) {
    // A bug or a broken database must not take the service down with a client waiting for a reply.
    handlers.onUnexpected(error);
    reply({ ok: false, error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
  }
}
