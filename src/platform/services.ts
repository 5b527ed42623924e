import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckResult } from '../checks/types.js';
import { SafetyError, UserError } from '../errors.js';
import type { ServiceEnablement } from '../plan/types.js';
import type { ServiceFile } from './adapter-schema.js';
import type { PlatformAdapter } from './types.js';
import { runStep } from './drivers/step.js';
import { RunningService } from './service-run.js';

const SERVICE_STEP_SECONDS = 60;
/** How long an enabled service has to say it is running (its `state` command) after it started. */
const UP_SECONDS = 30;

interface StepOptions {
  readonly prefix: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The run's work folder: an enabled service's log goes there. */
  readonly workDir: string;
}

interface ServiceRow extends Record<string, string> {
  service: string;
  why: string;
  state: string;
  reason: string;
}

const CHECK = { id: 'platform-services', title: "The platform's other services are stopped during the bill run, or run only as the plan enables them" } as const;

/**
 * The platform's other services (job scheduler, event manager, provisioning workers) around the
 * bill run, inside the sandbox. Before it every listed service is stopped with its `stop` command
 * and asked its `state` (exit 0: still running); one still running stops the run, as it could
 * bill, mail or provision on its own. Then the services the plan enables (with a reason) run
 * their `start` command in the foreground, supervised as probes' services are (`service-run.ts`).
 * After the bill run `stopEnabled` stops them again; the result lists every service and its
 * state. `prepare` returns undefined when there are none.
 */
export class OtherServices {
  private readonly rows: ServiceRow[] = [];
  private readonly started = new Map<string, RunningService>();
  private enabledStillRunning: string[] = [];

  private constructor(
    private readonly adapter: PlatformAdapter,
    private readonly enabled: readonly { readonly service: ServiceFile; readonly reason: string }[],
    private readonly options: StepOptions,
  ) {}

  static async prepare(adapter: PlatformAdapter, enable: readonly ServiceEnablement[], options: StepOptions): Promise<OtherServices | undefined> {
    if (adapter.services.length === 0) return undefined;
    if (adapter.driver.kind === 'ssm') throw new UserError(`The services of ${adapter.file} are stopped through AWS Systems Manager, which runs only on the AWS target.`);
    const enabled = enable.map((e) => {
      const service = adapter.services.find((s) => s.name === e.service);
      if (service === undefined) throw new UserError(`The plan enables service ${e.service}, which ${adapter.file} does not list.`);
      return { service, reason: e.reason };
    });
    const services = new OtherServices(adapter, enabled, options);
    await services.stopAll();
    try {
      await services.startEnabled();
    } catch (error) {
      await services.stopEnabled();
      throw error;
    }
    return services;
  }

  /** Stops the services the plan enabled; the result lists every service. Safe to call twice. */
  async stopEnabled(): Promise<CheckResult> {
    this.enabledStillRunning = [];
    for (const { service } of this.enabled) {
      const row = this.rows.find((r) => r.service === service.name);
      const started = this.started.get(service.name);
      if (row === undefined || started === undefined) continue;
      this.started.delete(service.name);
      await started.stop();
      const running = await this.isRunning(service);
      row.state = running === true ? 'enabled by plan: STILL RUNNING after its stop command' : 'enabled by plan: ran during the bill run, stopped after';
      if (running === true) this.enabledStillRunning.push(service.name);
    }
    return this.result();
  }

  private result(): CheckResult {
    const stillRunning = this.enabledStillRunning;
    const enabled = this.rows.filter((r) => r.reason !== '—');
    const stopped = this.rows.filter((r) => r.reason === '—');
    const summary =
      stillRunning.length > 0
        ? `still running after the bill run although stopped: ${stillRunning.join(', ')}`
        : [`${stopped.length} service(s) kept stopped${stopped.length > 0 ? `: ${stopped.map((r) => r.service).join(', ')}` : ''}`, ...(enabled.length > 0 ? [`${enabled.length} enabled by the plan for the bill run: ${enabled.map((r) => r.service).join(', ')}`] : [])].join('; ');
    return { ...CHECK, status: stillRunning.length > 0 ? 'failed' : enabled.length > 0 ? 'warning' : 'passed', summary, evidence: this.rows.map((r) => ({ ...r })) };
  }

  private async stopAll(): Promise<void> {
    for (const service of this.adapter.services) {
      if (service.stop !== undefined) await this.step(service, 'stop');
      const running = await this.isRunning(service);
      this.rows.push({ service: service.name, why: service.why, state: running === undefined ? 'no state command: assumed stopped' : running ? 'running' : 'stopped', reason: '—' });
    }
    const running = this.rows.filter((r) => r.state === 'running');
    if (running.length === 0) return;
    const check: CheckResult = { ...CHECK, status: 'failed', summary: `still running after their stop command: ${running.map((r) => r.service).join(', ')}`, evidence: this.rows.map((r) => ({ ...r })) };
    throw Object.assign(new SafetyError(`Refusing to start the bill run: ${check.summary}. They could bill, mail or provision on their own; fix their \`stop\` commands in ${this.adapter.file}.`), { check });
  }

  private async startEnabled(): Promise<void> {
    for (const { service, reason } of this.enabled) {
      const row = this.rows.find((r) => r.service === service.name);
      if (row === undefined) continue;
      row.reason = reason;
      const started = RunningService.start(service, { execPrefix: this.options.prefix, env: this.options.env, workDir: this.options.workDir, onSpawn: () => undefined, onExit: () => undefined });
      this.started.set(service.name, started);
      row.state = 'enabled by plan: running during the bill run';
      await this.waitUntilUp(service, started);
    }
  }

  /** Until its `state` says running (or, without one, as long as it has not exited). */
  private async waitUntilUp(service: ServiceFile, started: RunningService): Promise<void> {
    const deadline = Date.now() + UP_SECONDS * 1000;
    for (;;) {
      const up = started.running && (await this.isRunning(service)) !== false;
      if (up) return;
      if (!started.running || Date.now() > deadline) {
        const why = started.running ? `its \`state\` command still says it is not running after ${UP_SECONDS} s` : `its \`start\` command exited (code ${started.exitCode}) instead of running in the foreground`;
        throw new UserError(`The plan enables service ${service.name}, but ${why}. Its log ends: ${started.logTail(3)}. Fix the service's \`start\` command in ${this.adapter.file} (it must keep running until stopped), or drop it from \`platformOverrides.enableServices\`.`, 1);
      }
      await sleep(200);
    }
  }

  /** undefined: the adapter gives no `state` command. */
  private async isRunning(service: ServiceFile): Promise<boolean | undefined> {
    if (service.state === undefined) return undefined;
    return this.step(service, 'state').then(
      () => true,
      () => false,
    );
  }

  private async step(service: ServiceFile, step: 'stop' | 'state'): Promise<void> {
    const command = service[step];
    if (command === undefined) return;
    await runStep(`services.${service.name}.${step}`, command, { ...this.options, timeoutSeconds: SERVICE_STEP_SECONDS });
  }
}
