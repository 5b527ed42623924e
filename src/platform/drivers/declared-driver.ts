import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BillRunConfiguration, BillRunDriver, BillRunStatus, DriverContext } from '../../billrun/driver.js';
import type { DatabaseEngine } from '../../engine/types.js';
import { childEnvironment } from '../../runtime/child-environment.js';
import { UserError } from '../../errors.js';
import type { CommandStepFile, DriverFile, SqlStepFile } from '../adapter-schema.js';
import { QueryTemplate } from '../query-template.js';
import { runStep, tail } from './step.js';
import { killGroup } from '../../sandbox/run-in-namespace.js';

const DEFAULT_STEP_SECONDS = 60;
const STATES = new Set(['idle', 'configured', 'running', 'completed', 'failed']);

/**
 * A driver the adapter declares instead of codes: `commands` runs each step as a shell command
 * inside the sandbox namespace (status: the command's JSON output); `sql` requests the bill run
 * with an INSERT or EXEC against the copy and reads its status with a query, as platforms whose
 * billing service polls a request table expect. The step's values reach commands as `REHEARSAL_*`
 * variables and SQL as `:name` parameters, never spliced into text.
 */
export class DeclaredDriver implements BillRunDriver {
  private service: ChildProcess | undefined;
  private configuration: BillRunConfiguration | undefined;
  private readonly logPath: string;

  constructor(
    private readonly spec: DriverFile,
    private readonly context: DriverContext,
    private readonly openDatabase: () => Promise<DatabaseEngine>,
  ) {
    this.logPath = join(context.workDir, 'billing-service.log');
  }

  async start(): Promise<void> {
    const service = this.spec.service;
    if (service === undefined) return;
    const log = openSync(this.logPath, 'a');
    const [program = 'sh', ...args] = [...this.context.namespace.execPrefix, 'sh', '-c', service.run];
    const child = spawn(program, args, { stdio: ['pipe', log, log], env: childEnvironment(this.environment()), detached: true });
    closeSync(log);
    this.service = child;
    if (child.pid !== undefined) this.context.onSpawn(child.pid);
    if (service.ready === undefined) return;
    const deadline = Date.now() + (service.readyTimeoutSeconds ?? 30) * 1000;
    for (;;) {
      if (child.exitCode !== null) throw new UserError(`The platform's service exited with code ${child.exitCode} before it was ready.\n${this.logTail()}`, 1);
      try {
        await runStep('service.ready', service.ready.run, this.stepOptions(service.ready));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new UserError(`The platform's service was not ready within ${service.readyTimeoutSeconds ?? 30} s (\`${service.ready.run}\`): ${(error as Error).message}`, 1);
      }
      await sleep(200);
    }
  }

  async configure(configuration: BillRunConfiguration): Promise<void> {
    this.configuration = configuration;
    if (this.spec.configure !== undefined) await this.step('configure', this.spec.configure);
  }

  async beginBillRun(): Promise<void> {
    if (this.spec.begin === undefined) throw new Error('the adapter declares no `begin` step');
    await this.step('begin', this.spec.begin);
  }

  async status(): Promise<BillRunStatus> {
    const step = this.spec.status;
    if (step === undefined) throw new Error('the adapter declares no `status` step');
    let raw: Record<string, unknown> | undefined;
    if ('sql' in step) {
      raw = (await this.sql('status', step, 'query'))[0];
      if (raw === undefined) return { state: 'idle', processed: 0, total: 0 };
    } else {
      const { stdout } = await runStep('status', step.run, this.stepOptions(step));
      try {
        raw = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
      } catch {
        throw new UserError(`The driver's \`status\` step did not print JSON (\`${step.run}\`): ${tail(stdout, 3) || '(nothing)'}`, 1);
      }
    }
    const state = String(raw.state ?? '');
    if (!STATES.has(state)) throw new UserError(`The driver's \`status\` step gave state \`${state}\`; expected one of ${[...STATES].join(', ')}.`, 1);
    return {
      state: state as BillRunStatus['state'],
      processed: Number(raw.processed ?? 0),
      total: Number(raw.total ?? 0),
      ...(raw.error !== undefined && raw.error !== null ? { error: String(raw.error) } : {}),
    };
  }

  async stop(): Promise<void> {
    if (this.spec.stop !== undefined) {
      try {
        await runStep('stop', this.spec.stop.run, this.stepOptions(this.spec.stop));
      } catch {
        // The service is killed below whatever the stop command says.
      }
    }
    const child = this.service;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child.pid, 'SIGTERM');
    const giveUp = new AbortController();
    const stopped = await Promise.race([exited.then(() => true), sleep(10_000, false, { signal: giveUp.signal }).catch(() => false)]);
    giveUp.abort();
    if (!stopped) {
      killGroup(child.pid);
      await exited;
    }
  }

  logTail(): string {
    try {
      return tail(readFileSync(this.logPath, 'utf8'));
    } catch {
      return '(no service log)';
    }
  }

  private async step(name: string, step: CommandStepFile | SqlStepFile): Promise<void> {
    if ('sql' in step) await this.sql(name, step, 'exec');
    else await runStep(name, step.run, this.stepOptions(step));
  }

  private async sql(name: string, step: SqlStepFile, how: 'exec' | 'query'): Promise<Record<string, unknown>[]> {
    const timeoutSeconds = step.timeoutSeconds ?? DEFAULT_STEP_SECONDS;
    const statement = new QueryTemplate(step.sql).bind(this.parameters());
    const engine = await this.openDatabase();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UserError(`The driver's \`${name}\` step did not finish within ${timeoutSeconds} s. Raise its \`timeoutSeconds\` in the adapter if the platform is slow.`, 1)), timeoutSeconds * 1000);
    });
    try {
      return await Promise.race([how === 'exec' ? engine.exec(statement).then(() => []) : engine.query(statement), timeout]);
    } finally {
      clearTimeout(timer);
      await engine.close();
    }
  }

  private stepOptions(step: { timeoutSeconds?: number }): Parameters<typeof runStep>[2] {
    return { prefix: this.context.namespace.execPrefix, env: this.environment(), timeoutSeconds: step.timeoutSeconds ?? DEFAULT_STEP_SECONDS };
  }

  /** The values a step may use: as `:name` in SQL. */
  private parameters(): Record<string, string> {
    const c = this.configuration;
    return {
      billDate: c?.billDate ?? '',
      release: this.context.release,
      version: this.context.version,
      switches: this.context.switches.join(','),
      emailInvoices: String(c?.emailInvoices ?? false),
      chargeAutoPay: String(c?.chargeAutoPay ?? false),
      provision: String(c?.provision ?? false),
      configuration: JSON.stringify(c?.settings ?? {}),
    };
  }

  /** The same values as `REHEARSAL_*` variables for commands, plus where the platform's database is. */
  private environment(): Record<string, string> {
    const database = this.context.database;
    const values = Object.fromEntries(Object.entries(this.parameters()).map(([k, v]) => [`REHEARSAL_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, v]));
    return {
      ...this.context.env,
      ...values,
      REHEARSAL_WORK_DIR: this.context.workDir,
      REHEARSAL_ADAPTER_DIR: this.context.adapterDir,
      ...(database.kind === 'sqlite' ? { REHEARSAL_DATABASE_PATH: database.path } : { REHEARSAL_PLATFORM_DB: database.connectionString }),
    };
  }
}
