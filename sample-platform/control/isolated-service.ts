import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { SafetyError } from '../../src/errors.js';
import { childEnvironment } from '../../src/runtime/child-environment.js';
import { typescriptCommand } from '../../src/runtime/typescript-process.js';
import { ControlClient } from './client.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVICE_MAIN = resolve(REPO_ROOT, 'sample-platform', 'service', 'main.ts');

export interface IsolatedServiceOptions {
  readonly db: string;
  readonly socket: string;
  readonly release: 'production' | 'candidate';
  readonly faults?: readonly string[];
  readonly log?: string;
  /** How long to wait for the control socket to answer. */
  readonly readyTimeoutMs?: number;
  /**
   * Script to run in the namespace instead of the service's main.ts; it gets the same arguments.
   * Tests use one that also starts capture servers in the namespace before loading the service.
   */
  readonly entry?: string;
  /** Extra environment for the process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Also a private mount namespace, so the entry script can bind-mount its own /etc/hosts. */
  readonly privateMounts?: boolean;
}

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/**
 * Refuses unless a fresh network namespace can be made here: the billing service really dials
 * the gateways, mail server and switches in its settings, so it only ever runs inside one.
 */
export function assertCanIsolate(): void {
  const probe = spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const reason = probe.error ? probe.error.message : (probe.stderr.trim() || `exit ${probe.status}`);
    throw new SafetyError(
      `Cannot isolate the billing service: \`unshare --net\` failed (${reason}). It needs Linux, root ` +
        '(or CAP_SYS_ADMIN) and util-linux. The service really tries to charge cards, send mail and ' +
        'provision switches, so it is never run outside a fresh network namespace.',
      2,
    );
  }
}

/**
 * The billing service running in a new network namespace with no interface up, so nothing it
 * sends can leave the machine. The control socket is a file, which crosses the namespace.
 */
export class IsolatedService {
  readonly exited: Promise<ServiceExit>;
  private stderr = '';

  private constructor(readonly process: ChildProcess) {
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => resolve({ code, signal, stderr: this.stderr }));
    });
  }

  /** Starts the service and resolves once its control socket answers (or rejects with its stderr). */
  static async start(options: IsolatedServiceOptions): Promise<{ service: IsolatedService; client: ControlClient }> {
    assertCanIsolate();
    const program = typescriptCommand(options.entry ?? SERVICE_MAIN, ['--db', options.db, '--socket', options.socket, '--release', options.release]);
    const args = ['--net', ...(options.privateMounts ? ['--mount'] : []), '--', program.command, ...program.args];
    if (options.faults && options.faults.length > 0) args.push('--faults', options.faults.join(','));
    if (options.log) args.push('--log', options.log);
    const child = spawn('unshare', args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: childEnvironment(options.env),
    });
    const service = new IsolatedService(child);
    let exit: ServiceExit | undefined;
    void service.exited.then((e) => (exit = e));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20000);
    while (Date.now() < deadline) {
      if (exit) {
        throw new Error(`the billing service exited before it was ready (code ${exit.code}): ${exit.stderr.trim()}`);
      }
      if (existsSync(options.socket)) {
        try {
          return { service, client: await ControlClient.connect(options.socket) };
        } catch {
          // Socket file there but not yet accepting; try again.
        }
      }
      await sleep(50);
    }
    await service.kill();
    throw new Error(`the billing service did not open ${options.socket} within ${options.readyTimeoutMs ?? 20000} ms`);
  }

  /** Ends the process if it is still there and waits for it to be gone. */
  async kill(): Promise<ServiceExit> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    return this.exited;
  }
}
