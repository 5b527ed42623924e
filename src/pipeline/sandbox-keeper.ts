import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../plan/types.js';
import type { RunFolder } from '../run/run-folder.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { RunContext } from './context.js';
import type { HostMap } from '../sandbox/hosts.js';
import { listNamespaces } from '../sandbox/namespace.js';
import { OWNERSHIP_DIR } from '../sandbox/ownership.js';
import { processStartTicks } from '../run/process-alive.js';
import { isolate } from '../stages/isolate.js';
import { SafetyError, UserError } from '../errors.js';
import { typescriptCommand } from '../runtime/typescript-process.js';
import { requestOnce } from '../runtime/json-line-socket.js';
import { silentProgress } from '../ui/progress.js';

/**
 * The sandbox keeper holds a run's sandbox between separate stage commands (`rehearse up`, then
 * `prove` and `bill-run` in later processes). The sinkholes exit with the process that started
 * them, so that process must outlive the commands: the keeper is that process. It writes what the
 * later commands need into the run folder and answers on a Unix socket until `rehearse down`.
 */
const MAIN = fileURLToPath(new URL('./sandbox-keeper-main.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** What a later stage command needs to use the keeper's sandbox; `sandbox/keeper.json` in the run folder. */
export interface KeeperRecord {
  readonly pid: number;
  /** Start time of the keeper (from /proc), so a reused pid is never mistaken for it. */
  readonly startTicks: string;
  readonly socket: string;
  readonly namespace: string;
  readonly ledgerPath: string;
  readonly caCertPath?: string;
  readonly nonce: string;
  readonly hostMap: HostMap;
  readonly startedAt: string;
  /** The link to the SQL Server outside the sandbox, when the plan's database is one. */
  readonly database?: Sandbox['database'];
}

type Request = { op: 'add-hosts'; hosts: string[] } | { op: 'stop' };
type Reply = { ok: true; hostMap?: HostMap; removed?: string[] } | { ok: false; error: string };

export function keeperRecordPath(run: RunFolder): string {
  return join(run.dir, 'sandbox', 'keeper.json');
}

export function readKeeperRecord(run: RunFolder): KeeperRecord | undefined {
  try {
    return JSON.parse(readFileSync(keeperRecordPath(run), 'utf8')) as KeeperRecord;
  } catch {
    return undefined;
  }
}

export function keeperAlive(record: KeeperRecord): boolean {
  return processStartTicks(record.pid) === record.startTicks;
}

/**
 * Runs in the keeper process: makes the sandbox (the isolate stage), publishes it, serves requests,
 * and resolves once the sandbox was stopped by `down` or a signal.
 */
export async function keepSandbox(plan: Plan, run: RunFolder, onReady: (record: KeeperRecord) => void): Promise<void> {
  const ctx: RunContext = { plan, run, progress: silentProgress, checks: [] };
  await isolate(ctx);
  const sandbox = ctx.sandbox;
  if (sandbox === undefined) throw new Error('isolate made no sandbox');
  // Beside the sandbox's ownership record: outside the run's work folder, which restore empties, and short enough for a socket path.
  const socket = join(OWNERSHIP_DIR, `${sandbox.namespace.name}.keeper.sock`);
  rmSync(socket, { force: true });
  const record = (): KeeperRecord => ({
    pid: process.pid,
    startTicks: processStartTicks(process.pid) ?? '',
    socket,
    namespace: sandbox.namespace.name,
    ledgerPath: sandbox.ledgerPath,
    ...(sandbox.caCertPath !== undefined ? { caCertPath: sandbox.caCertPath } : {}),
    nonce: sandbox.nonce,
    hostMap: sandbox.hostMap,
    startedAt,
    ...(sandbox.database !== undefined ? { database: sandbox.database } : {}),
  });
  const startedAt = new Date().toISOString();
  const publish = (): void => writeFileSync(keeperRecordPath(run), `${JSON.stringify(record(), null, 2)}\n`, { mode: 0o600 });

  let server: Server | undefined;
  const stopped = new Promise<void>((resolve) => {
    let stopping: Promise<string[]> | undefined;
    const stop = (): Promise<string[]> => {
      stopping ??= sandbox.stop().finally(() => {
        server?.close();
        rmSync(socket, { force: true });
        rmSync(keeperRecordPath(run), { force: true });
        resolve();
      });
      return stopping;
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    server = createServer((connection) => {
      const lines = createInterface({ input: connection });
      lines.on('line', (line) => {
        const answer = async (): Promise<Reply> => {
          const request = JSON.parse(line) as Request;
          if (request.op === 'add-hosts') {
            await sandbox.addHosts(request.hosts);
            publish();
            return { ok: true, hostMap: sandbox.hostMap };
          }
          return { ok: true, removed: await stop() };
        };
        answer()
          .catch((error: unknown): Reply => ({ ok: false, error: error instanceof Error ? error.message : String(error) }))
          .then((reply) => connection.end(`${JSON.stringify(reply)}\n`));
      });
    });
  });
  await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(socket, resolve));
  publish();
  onReady(record());
  await stopped;
}

/**
 * The keeper makes the sandbox: it needs where ownership records go and, for SQL Server, the
 * connection string to find the server's address. Never the masking key.
 */
function keeperEnvironment(plan: Plan): Record<string, string | undefined> {
  const connection = plan.database.connectionStringEnv;
  return { REHEARSAL_RUN_DIR: process.env.REHEARSAL_RUN_DIR, ...(connection !== undefined ? { [connection]: process.env[connection] } : {}) };
}

/** Starts a detached keeper for the run and waits until its sandbox is up; returns its record. */
export async function startKeeper(plan: Plan, run: RunFolder): Promise<KeeperRecord> {
  const existing = readKeeperRecord(run);
  if (existing !== undefined && keeperAlive(existing)) return existing;
  const log = openSync(join(run.dir, 'sandbox-keeper.log'), 'a');
  const keeper = typescriptCommand(MAIN, [plan.file, run.dir], keeperEnvironment(plan));
  // Its own process group: a Ctrl-C meant for a later command must not take the sandbox down with it.
  const child = spawn(keeper.command, keeper.args, { detached: true, stdio: ['ignore', 'pipe', log], env: keeper.env });
  closeSync(log);
  try {
    return await new Promise<KeeperRecord>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SafetyError(`The sandbox keeper of run ${run.runId} did not start within ${READY_TIMEOUT_MS / 1000} s; see ${join(run.dir, 'sandbox-keeper.log')}.`)), READY_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (line.startsWith('READY ')) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice('READY '.length)) as KeeperRecord);
        } else if (line.startsWith('FAILED ')) {
          clearTimeout(timer);
          const failure = JSON.parse(line.slice('FAILED '.length)) as { message: string; exitCode: number };
          reject(new UserError(failure.message, failure.exitCode));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new SafetyError(`The sandbox keeper of run ${run.runId} exited (code ${code}) before its sandbox was up; see ${join(run.dir, 'sandbox-keeper.log')}.`));
      });
    });
  } finally {
    child.stdout?.destroy();
    child.removeAllListeners('exit');
    child.unref();
  }
}

async function ask(record: KeeperRecord, request: Request, timeoutMs = 30_000): Promise<Reply> {
  return (await requestOnce(record.socket, request, {
    peer: `the sandbox keeper (pid ${record.pid})`,
    timeoutMs,
    timedOut: () => new Error(`the sandbox keeper (pid ${record.pid}) did not answer within ${timeoutMs / 1000} s`),
  })) as Reply;
}

/**
 * The keeper's sandbox as a `Sandbox` for this process. Refuses when the keeper or its namespace
 * is gone: the stages that need the sandbox never run against a stale one.
 */
export async function attachSandbox(run: RunFolder, plan: Plan): Promise<Sandbox & { readonly startedAt: string }> {
  const record = readKeeperRecord(run);
  if (record === undefined || !keeperAlive(record) || !existsSync(record.socket)) {
    throw new SafetyError(`Run ${run.runId} has no sandbox running (its keeper is gone). Run \`rehearse up ${plan.file}\` first; isolation must then be proven again.`);
  }
  if (!(await listNamespaces()).includes(record.namespace)) {
    throw new SafetyError(`The network namespace ${record.namespace} of run ${run.runId} was removed. Run \`rehearse down ${run.runId}\`, then \`rehearse up ${plan.file}\`.`);
  }
  let hostMap = record.hostMap;
  return {
    namespace: { name: record.namespace, execPrefix: ['ip', 'netns', 'exec', record.namespace] },
    ledgerPath: record.ledgerPath,
    ...(record.caCertPath !== undefined ? { caCertPath: record.caCertPath } : {}),
    nonce: record.nonce,
    get hostMap() {
      return hostMap;
    },
    startMs: 0,
    startedAt: record.startedAt,
    ...(record.database !== undefined ? { database: record.database } : {}),
    async addHosts(hosts) {
      const reply = await ask(record, { op: 'add-hosts', hosts: [...hosts] });
      if (!reply.ok) throw new Error(`the sandbox keeper could not add hosts: ${reply.error}`);
      hostMap = reply.hostMap ?? hostMap;
    },
    async stop() {
      return stopKeeper(run);
    },
  };
}

/** Asks a run's keeper to remove its sandbox and exit; returns what it removed (nothing when no keeper runs). */
export async function stopKeeper(run: RunFolder): Promise<string[]> {
  const record = readKeeperRecord(run);
  if (record === undefined) return [];
  if (!keeperAlive(record)) {
    rmSync(keeperRecordPath(run), { force: true });
    return [];
  }
  try {
    const reply = await ask(record, { op: 'stop' });
    return [`sandbox keeper (pid ${record.pid})`, ...(reply.ok ? (reply.removed ?? []) : [])];
  } catch {
    // An unresponsive keeper is ended by pid; destroySandbox removes whatever it held.
    process.kill(record.pid, 'SIGKILL');
    rmSync(keeperRecordPath(run), { force: true });
    return [`sandbox keeper (pid ${record.pid}, killed)`];
  }
}
