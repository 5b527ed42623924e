import { parseIsoDate } from '../shared/dates.js';
import { BillRun } from './billing/bill-run.js';
import type { BillRunConfig } from './billing/bill-run.js';
import type { PlatformDatabase } from './database/port.js';
import { migrateToRelease } from './releases.js';
import { parseRunConfiguration } from './billing/configuration.js';
import type { Fault, Release } from './releases.js';

export type ServiceState = 'idle' | 'configured' | 'running' | 'completed' | 'failed';

export type Response = { readonly ok: true; readonly [key: string]: unknown } | { readonly ok: false; readonly error: string };

/** A request that cannot be carried out; its message goes back to the client as the error. */
class RequestError extends Error {}

/**
 * The billing service's state machine behind the control socket: configure once, start once,
 * report status, stop. A finished bill run cannot be started again in the same process.
 */
export class ServiceController {
  private state: ServiceState = 'idle';
  private config: BillRunConfig | undefined;
  private billRun: BillRun | undefined;
  private running: Promise<void> | undefined;
  private failure: string | undefined;
  private stopRequested = false;

  constructor(
    private readonly db: PlatformDatabase,
    private readonly release: Release,
    private readonly faults: ReadonlySet<Fault>,
    private readonly log: (message: string) => void,
  ) {}

  /** Handles one decoded request; never throws for anything a client can send. */
  async handle(request: unknown): Promise<Response> {
    try {
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new RequestError('a request must be a JSON object with a "command" field');
      }
      const command = (request as { command?: unknown }).command;
      switch (command) {
        case 'configure':
          return await this.configure(request as Record<string, unknown>);
        case 'start':
          return await this.start();
        case 'status':
          return this.status();
        default:
          throw new RequestError(
            `unknown command ${JSON.stringify(command)}; the service understands configure, start, status and stop`,
          );
      }
    } catch (error) {
      if (error instanceof RequestError) return { ok: false, error: error.message };
      throw error;
    }
  }

  status(): Response {
    return {
      ok: true,
      state: this.state,
      release: this.release.version,
      billRunId: this.billRun?.id ?? null,
      processed: this.billRun?.processed ?? 0,
      total: this.billRun?.total ?? 0,
      ...(this.failure !== undefined ? { error: this.failure } : {}),
    };
  }

  /** Stops a run in progress after its current account and waits until it has ended. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.billRun?.requestStop();
    await this.running;
  }

  private async configure(request: Record<string, unknown>): Promise<Response> {
    if (this.state !== 'idle' && this.state !== 'configured') {
      throw new RequestError(`cannot configure: the bill run is ${this.state}; start a new service process for another run`);
    }
    const billDate = request.billDate;
    if (typeof billDate !== 'string' || !parseIsoDate(billDate)) {
      throw new RequestError('configure needs "billDate" as an ISO date, e.g. "2026-11-01"');
    }
    const switches = ['emailInvoices', 'chargeAutoPay', 'provision'] as const;
    for (const name of switches) {
      if (typeof request[name] !== 'boolean') throw new RequestError(`configure needs "${name}" as true or false`);
    }
    let configuration;
    try {
      configuration = parseRunConfiguration(request.settings);
    } catch (error) {
      throw new RequestError(`configure: ${(error as Error).message}`);
    }
    await migrateToRelease(this.db, this.release, this.faults);
    this.config = {
      billDate,
      emailInvoices: request.emailInvoices === true,
      chargeAutoPay: request.chargeAutoPay === true,
      provision: request.provision === true,
      configuration,
    };
    this.state = 'configured';
    this.log(`configured: ${JSON.stringify(this.config)}`);
    return { ok: true };
  }

  private async start(): Promise<Response> {
    if (this.state === 'idle' || !this.config) throw new RequestError('cannot start: send "configure" first');
    if (this.state !== 'configured') throw new RequestError(`cannot start: the bill run is already ${this.state}`);
    const config = this.config;
    // Running from here on, so a second start while the run is being set up is refused.
    this.state = 'running';
    const begun = BillRun.begin(this.db, this.release, this.faults, config);
    this.running = begun.then(
      async (billRun) => {
        this.billRun = billRun;
        if (this.stopRequested) billRun.requestStop();
        this.log(`bill run ${billRun.id} started for ${config.billDate}: ${billRun.total} accounts due`);
        const outcome = await billRun.run();
        this.state = outcome.status;
        if (outcome.status === 'failed') this.failure = outcome.reason;
        this.log(`bill run ${billRun.id} ${outcome.status}${outcome.status === 'failed' ? `: ${outcome.reason}` : ''}`);
      },
      (error: unknown) => {
        this.state = 'failed';
        this.failure = error instanceof Error ? error.message : String(error);
        this.log(`bill run could not start: ${this.failure}`);
      },
    );
    const billRun = await begun;
    return { ok: true, billRunId: billRun.id };
  }
}
