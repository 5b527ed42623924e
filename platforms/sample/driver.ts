import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { sendControlCommand, type ControlResponse } from './control-client.js';
import type { BillRunConfiguration, BillRunDriver, BillRunStatus, DriverContext } from '../../src/billrun/driver.js';
import type { NetworkNamespace } from '../../src/sandbox/namespace.js';
import { PROJECT_ROOT, typescriptCommand } from '../../src/runtime/typescript-process.js';
import { childEnvironment } from '../../src/runtime/child-environment.js';
import { PLATFORM_CONNECTION_ENV, type PlatformDatabase } from '../../src/billrun/platform-database.js';

const SERVICE = `${PROJECT_ROOT}sample-platform/service/main.ts`;

/** The adapter's driver (`driver.kind: module`): the service's control socket and log live in the run's work folder. */
export function createDriver(context: DriverContext): SamplePlatformDriver {
  return new SamplePlatformDriver({
    namespace: context.namespace,
    database: context.database,
    socketPath: join(context.workDir, 'billing.sock'),
    logPath: join(context.workDir, 'billing-service.log'),
    release: context.release === 'production' ? 'production' : 'candidate',
    faults: context.switches,
    env: context.env,
    onSpawn: context.onSpawn,
  });
}

export interface SamplePlatformDriverArgs {
  readonly namespace: NetworkNamespace;
  readonly database: PlatformDatabase;
  readonly socketPath: string;
  readonly logPath: string;
  readonly release: 'production' | 'candidate';
  readonly faults: readonly string[];
  /** Extra environment for the service (e.g. the sinkholes' CA it must trust). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Called with the service's pid the moment it is spawned, before it is ready: whoever cleans up
   * after a signal or a crash must find it even if it never answered.
   */
  readonly onSpawn?: (pid: number) => void;
}

/**
 * Drives the sample platform's billing service. The service runs inside the run's network
 * namespace; the control socket is a file, so commands reach it without any network path.
 */
export class SamplePlatformDriver implements BillRunDriver {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly args: SamplePlatformDriverArgs) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const { namespace, database, socketPath, logPath, release, faults } = this.args;
    const log = openSync(logPath, 'a');
    const databaseArgs = database.kind === 'sqlite' ? ['--db', database.path] : ['--mssql-connection-env', PLATFORM_CONNECTION_ENV];
    const databaseEnv = database.kind === 'mssql' ? { [PLATFORM_CONNECTION_ENV]: database.connectionString } : {};
    // Its stdin is a pipe from us: when this process dies, even by kill -9, the service sees it close and exits.
    const serviceArgs = [...databaseArgs, '--socket', socketPath, '--release', release, '--log', logPath, '--exit-with-stdin'];
    if (faults.length > 0) serviceArgs.push('--faults', faults.join(','));
    const service = typescriptCommand(SERVICE, serviceArgs);
    const [command = 'ip', ...prefix] = namespace.execPrefix;
    const child = spawn(command, [...prefix, service.command, ...service.args], {
      stdio: ['pipe', log, log],
      env: childEnvironment({ ...this.args.env, ...databaseEnv }),
    });
    closeSync(log);
    this.child = child;
    if (child.pid !== undefined) this.args.onSpawn?.(child.pid);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the billing service exited with code ${child.exitCode} before it was ready.\n${this.logTail()}`);
      if (existsSync(socketPath)) {
        try {
          await this.command({ command: 'status' });
          return;
        } catch {
          // the socket exists before the service listens on it
        }
      }
      await sleep(100);
    }
    throw new Error(`the billing service did not open its control socket within 30 s.\n${this.logTail()}`);
  }

  async configure(configuration: BillRunConfiguration): Promise<void> {
    await this.command({ command: 'configure', ...configuration });
  }

  async beginBillRun(): Promise<void> {
    await this.command({ command: 'start' });
  }

  async status(): Promise<BillRunStatus> {
    const answer = await this.command({ command: 'status' });
    return {
      state: answer.state as BillRunStatus['state'],
      processed: Number(answer.processed ?? 0),
      total: Number(answer.total ?? 0),
      ...(typeof answer.error === 'string' ? { error: answer.error } : {}),
    };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      await this.command({ command: 'stop' });
    } catch {
      child.kill('SIGTERM');
    }
    const giveUp = new AbortController();
    const stopped = await Promise.race([
      this.exited.then(() => true),
      sleep(10_000, false, { signal: giveUp.signal }).catch(() => false),
    ]);
    giveUp.abort();
    if (!stopped) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  logTail(): string {
    try {
      return readFileSync(this.args.logPath, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no service log)';
    }
  }

  private async command(request: Record<string, unknown>): Promise<Extract<ControlResponse, { ok: true }>> {
    const answer = await sendControlCommand(this.args.socketPath, request);
    if (!answer.ok) throw new Error(`the billing service refused \`${String(request.command)}\`: ${answer.error}`);
    return answer;
  }
}
