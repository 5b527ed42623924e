import type Database from 'better-sqlite3';
import { parseIsoDate } from '../shared/dates.js';
import { BillRun } from './billing/bill-run.js';
import type { BillRunConfig } from './billing/bill-run.js';
import { migrateToRelease } from './releases.js';
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

  constructor(
    private readonly db: Database.Database,
    private readonly release: Release,
    private readonly faults: ReadonlySet<Fault>,
    private readonly log: (message: string) => void,
  ) {}

  /** Handles one decoded request; never throws for anything a client can send. */
  handle(request: unknown): Response {
    try {
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new RequestError('a request must be a JSON object with a "command" field');
      }
      const command = (request as { command?: unknown }).command;
      switch (command) {
        case 'configure':
          return this.configure(request as Record<string, unknown>);
        case 'start':
          return this.start();
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
    this.billRun?.requestStop();
    await this.running;
  }

  private configure(request: Record<string, unknown>): Response {
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
    migrateToRelease(this.db, this.release);
    this.config = {
      billDate,
      emailInvoices: request.emailInvoices === true,
      chargeAutoPay: request.chargeAutoPay === true,
      provision: request.provision === true,
    };
    this.state = 'configured';
    this.log(`configured: ${JSON.stringify(this.config)}`);
    return { ok: true };
  }

  private start(): Response {
    if (this.state === 'idle' || !this.config) throw new RequestError('cannot start: send "configure" first');
    if (this.state !== 'configured') throw new RequestError(`cannot start: the bill run is already ${this.state}`);
    const billRun = new BillRun(this.db, this.release, this.faults, this.config);
    this.billRun = billRun;
    this.state = 'running';
    this.log(`bill run ${billRun.id} started for ${this.config.billDate}: ${billRun.total} accounts due`);
    this.running = billRun.run().then((outcome) => {
      this.state = outcome.status;
      if (outcome.status === 'failed') this.failure = outcome.reason;
      this.log(`bill run ${billRun.id} ${outcome.status}${outcome.status === 'failed' ? `: ${outcome.reason}` : ''}`);
    });
    return { ok: true, billRunId: billRun.id };
  }
}
