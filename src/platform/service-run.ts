import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnvironment } from '../runtime/child-environment.js';
import { runStep, tail } from './drivers/step.js';
import { killGroup } from '../sandbox/run-in-namespace.js';
import type { ServiceFile } from './adapter-schema.js';

const STOP_GRACE_MS = 5000;
const STOP_STEP_SECONDS = 30;

/**
 * One of the adapter's other services run inside the sandbox namespace, for the bill run (the plan
 * enables it) or for a probe: its `start` command in the foreground (its own process group, log in
 * the run's work folder), then SIGTERM to the group (SIGKILL after a grace period) and the
 * adapter's `stop` command when it has one. Being in the namespace, destroy's sweep of the
 * namespace's processes removes it after a crash.
 */
export class RunningService {
  private readonly exited: Promise<void>;

  private constructor(
    readonly service: ServiceFile,
    private readonly child: ChildProcess,
    private readonly logPath: string,
    private readonly options: ServiceRunOptions,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(service: ServiceFile, options: ServiceRunOptions): RunningService {
    if (service.start === undefined) throw new Error(`service ${service.name} has no start command`);
    const logPath = join(options.workDir, `service-${service.name}.log`);
    const log = openSync(logPath, 'a');
    const [program = 'sh', ...args] = [...options.execPrefix, 'sh', '-c', service.start];
    const child = spawn(program, args, { stdio: ['ignore', log, log], env: childEnvironment(options.env), detached: true });
    closeSync(log);
    if (child.pid !== undefined) options.onSpawn(child.pid);
    return new RunningService(service, child, logPath, options);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  logTail(lines = 5): string {
    try {
      return tail(readFileSync(this.logPath, 'utf8'), lines);
    } catch {
      return '(no service log)';
    }
  }

  /** Stops the service; safe to call twice. */
  async stop(): Promise<void> {
    if (this.running) {
      killGroup(this.child.pid, 'SIGTERM');
      const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
      if (!stopped) {
        killGroup(this.child.pid);
        await this.exited;
      }
    }
    if (this.service.stop !== undefined) {
      await runStep(`services.${this.service.name}.stop`, this.service.stop, { prefix: this.options.execPrefix, env: this.options.env, timeoutSeconds: STOP_STEP_SECONDS }).catch(() => undefined);
    }
    this.options.onExit();
  }
}

export interface ServiceRunOptions {
  readonly execPrefix: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workDir: string;
  readonly onSpawn: (pid: number) => void;
  readonly onExit: () => void;
}
