// A tiny "database server" for bench/sanitize.ts: runs inside a network namespace of the bench's
// own, executes the statements a client sends on a SQLite copy and answers (bench/round-trip/
// protocol.ts), so a client in another namespace pays a real round trip per statement: veth,
// TCP and two processes. It registers the masking functions and fake-value tables as the stage
// does, so the set-based UPDATEs run on the server as they would on SQL Server.
//
//   node --import tsx bench/round-trip/server.ts --db <copy.db> --host <address> --port <n> [--round-trip-ms <ms>]
//
// Prints `READY` once listening; stops when its stdin closes (the bench went away) or on SIGTERM.
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import type { Row } from '../../src/engine/types.js';
import { prepareMasking } from '../../src/sanitize/apply.js';
import { benchMasker } from '../sanitize-setup.js';
import { frame, readFrames, type Request, type Response } from './protocol.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'round-trip-ms': { type: 'string', default: '0' },
  },
});
if (values.db === undefined || values.host === undefined || values.port === undefined) {
  throw new Error('usage: server.ts --db <copy.db> --host <address> --port <n> [--round-trip-ms <ms>]');
}
const addedDelayMs = Number(values['round-trip-ms']);

const engine = SqliteEngine.open(values.db);
await prepareMasking(engine, benchMasker());
const connection = engine.connection;
// A server keeps compiled plans; so does this one, by statement text.
const prepared = new Map<string, Database.Statement>();

function answer(request: Request): Response {
  try {
    switch (request.op) {
      case 'ping':
        return { ok: true };
      case 'exec':
        connection.exec(request.text);
        return { ok: true };
      case 'run': {
        let statement = prepared.get(request.text);
        if (statement === undefined) {
          statement = connection.prepare(request.text);
          prepared.set(request.text, statement);
        }
        return statement.reader ? { ok: true, rows: statement.all(request.params) as Row[] } : { ok: true, changes: statement.run(request.params).changes };
      }
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The added delay, in userland because this kernel has no netem. Timers are only good to about a
 * millisecond, so the last 2 ms are waited out by spinning; requests come one at a time, so the
 * spin delays nobody else.
 */
async function delay(ms: number): Promise<void> {
  const until = performance.now() + ms;
  if (ms > 2) await new Promise((resolve) => setTimeout(resolve, ms - 2));
  while (performance.now() < until);
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  let queue = Promise.resolve();
  readFrames<Request>(socket, (request) => {
    queue = queue.then(async () => {
      const response = answer(request);
      if (addedDelayMs > 0) await delay(addedDelayMs);
      socket.write(frame(response));
    });
  });
  socket.on('error', () => socket.destroy());
}

const server = createServer(serve);
server.listen(Number(values.port), values.host, () => console.log('READY'));

const stop = (): void => {
  server.close();
  void engine.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.resume();
process.once('SIGTERM', stop);
