import type { CheckResult } from '../checks/types.js';
import { SafetyError, UserError } from '../errors.js';
import type { ServiceEnablement } from '../plan/types.js';
import type { ServiceFile } from './adapter-schema.js';
import type { PlatformAdapter } from './types.js';
import { runStep } from './drivers/step.js';

const SERVICE_STEP_SECONDS = 60;

interface StepOptions {
  readonly prefix: readonly string[];
  readonly env: Readonly<Record<string, string>>;
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
 * bill, mail or provision on its own. Then the services the plan enables (with a reason) are
 * started with their `start` command. After the bill run `stopEnabled` stops them again; the
 * result lists every service and its state. `prepare` returns undefined when there are none.
 */
export class OtherServices {
  private readonly rows: ServiceRow[] = [];
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
      if (row === undefined || !row.state.startsWith('enabled by plan')) continue;
      if (service.stop !== undefined) await this.step(service, 'stop').catch(() => undefined);
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
      await this.step(service, 'start');
      row.state = 'enabled by plan: running during the bill run';
      if ((await this.isRunning(service)) === false) {
        throw new UserError(`The plan enables service ${service.name}, but its \`state\` command in ${this.adapter.file} says it is not running after \`start\`. Fix its \`start\` command, or drop it from \`platformOverrides.enableServices\`.`, 1);
      }
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

  private async step(service: ServiceFile, step: 'start' | 'stop' | 'state'): Promise<void> {
    const command = service[step];
    if (command === undefined) return;
    await runStep(`services.${service.name}.${step}`, command, { ...this.options, timeoutSeconds: SERVICE_STEP_SECONDS });
  }
}
