import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ExecResult, Row } from '../../src/engine/types.js';
import type { Fragment, SqlValue } from '../../src/sql/fragment.js';
import { sqliteDialect } from '../../src/sql/dialect.js';
import { PROJECT_ROOT, typescriptCommand } from '../../src/runtime/typescript-process.js';
import { createVeth, deleteVeth } from '../../src/sandbox/veth.js';
import { deleteNamespace } from '../../src/sandbox/namespace.js';
import { command } from '../../src/sandbox/command.js';
import type { SqlSession } from '../row-by-row.js';
import { frame, readFrames, type Request, type Response } from './protocol.js';

/** Fixed: the server listens alone in a namespace of its own. */
const SERVER_PORT = 5433;
const START_TIMEOUT_MS = 15_000;
/** Prefix of the namespaces this module makes: not `rehearsal-`, so no run's sweep takes one for a sandbox. */
export const ROUND_TRIP_NAMESPACE_PREFIX = 'rh-bench-rt-';

/** A client of the round-trip server: each statement is one request and one answer. */
export class RemoteSqlite implements SqlSession {
  private readonly waiting: { resolve: (response: Response) => void; reject: (error: Error) => void }[] = [];

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    readFrames<Response>(socket, (response) => this.waiting.shift()?.resolve(response));
    const failAll = (error: Error): void => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    socket.on('error', failAll);
    socket.on('close', () => failAll(new Error('the round-trip server closed the connection')));
  }

  private async request(request: Request): Promise<Response & { ok: true }> {
    const response = await new Promise<Response>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(frame(request));
    });
    if (!response.ok) throw new Error(`the round-trip server refused a statement: ${response.error}`);
    return response;
  }

  private run(statement: Fragment): Promise<Response & { ok: true }> {
    const { text, params } = sqliteDialect.render(statement);
    const bound: Record<string, SqlValue> = {};
    for (const [name, value] of Object.entries(params)) bound[name] = typeof value === 'boolean' ? Number(value) : value;
    return this.request({ op: 'run', text, params: bound });
  }

  async ping(): Promise<void> {
    await this.request({ op: 'ping' });
  }

  async query(statement: Fragment): Promise<Row[]> {
    return (await this.run(statement)).rows ?? [];
  }

  async exec(statement: Fragment): Promise<ExecResult> {
    return { rowsAffected: (await this.run(statement)).changes ?? 0 };
  }

  async transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    await this.request({ op: 'exec', text: 'BEGIN IMMEDIATE' });
    try {
      const result = await work(this);
      await this.request({ op: 'exec', text: 'COMMIT' });
      return result;
    } catch (error) {
      await this.request({ op: 'exec', text: 'ROLLBACK' }).catch(() => undefined);
      throw error;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RoundTripLink {
  readonly namespace: string;
  readonly client: RemoteSqlite;
  /** Stops the server, removes the veth link and the namespace; safe to call twice. */
  close(): Promise<void>;
}

function startServer(namespace: string, databasePath: string, host: string, addedDelayMs: number): Promise<ChildProcess> {
  const server = typescriptCommand(join(PROJECT_ROOT, 'bench/round-trip/server.ts'), ['--db', databasePath, '--host', host, '--port', String(SERVER_PORT), '--round-trip-ms', String(addedDelayMs)]);
  const child = spawn('ip', ['netns', 'exec', namespace, server.command, ...server.args], { stdio: ['pipe', 'pipe', 'pipe'], env: server.env });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the round-trip server did not start (${why}): ${output.trim().split('\n').slice(-3).join(' ')}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.once('error', (error) => fail(error.message));
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== 'READY') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
  });
}

/**
 * A namespace with a veth link to this one and the server inside it, on a copy of the database:
 * every statement the client sends crosses the link. The link adds its own latency only; a
 * further `addedDelayMs` per round trip is waited out by the server (userland: no netem here).
 * Ctrl-C (or SIGTERM) while it is open removes it all before the process exits.
 */
export async function openRoundTripLink(databasePath: string, addedDelayMs: number): Promise<RoundTripLink> {
  const namespace = `${ROUND_TRIP_NAMESPACE_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  let server: ChildProcess | undefined;
  let client: RemoteSqlite | undefined;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', terminated);
      client?.close();
      if (server !== undefined) await stopServer(server);
      await deleteVeth(namespace);
      await deleteNamespace(namespace);
    })();
    return closed;
  };
  const interrupted = (): void => void close().finally(() => process.exit(130));
  const terminated = (): void => void close().finally(() => process.exit(143));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', terminated);
  try {
    await command('ip', ['netns', 'add', namespace]);
    await command('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    const link = await createVeth(namespace);
    server = await startServer(namespace, databasePath, link.sandboxAddress, addedDelayMs);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(SERVER_PORT, link.sandboxAddress, () => resolve(s));
      s.once('error', reject);
    });
    client = new RemoteSqlite(socket);
    return { namespace, client, close };
  } catch (error) {
    await close();
    throw new Error(
      `cannot measure row by row over a network round trip: ${error instanceof Error ? error.message : String(error)}. ` +
        'It needs root (network namespaces and a veth link) and iproute2; run with --in-process-only to skip it.',
      { cause: error },
    );
  }
}
