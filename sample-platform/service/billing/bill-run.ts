import type Database from 'better-sqlite3';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InvoiceMailer } from '../outbound/email.js';
import { runLimited } from '../outbound/limit.js';
import { Reachability } from '../outbound/reachability.js';
import type { Fault, Release } from '../releases.js';
import { readSettings } from '../settings.js';
import { billAccount } from './account-biller.js';
import type { BillingRules } from './account-biller.js';
import { OutboundSteps } from './outbound-steps.js';
import type { OutboundSwitches, ResultWrite } from './outbound-steps.js';
import { prepareStatements } from './statements.js';
import type { Statements } from './statements.js';

export interface BillRunConfig extends OutboundSwitches {
  readonly billDate: string;
}

export type BillRunOutcome = { readonly status: 'completed' } | { readonly status: 'failed'; readonly reason: string };

/** Accounts billed between two looks at the socket and two rounds of outbound traffic. */
const CHUNK_SIZE = 250;
const MAX_IN_FLIGHT = 16;
/** About one billed account in this many gets the injected event-log error. */
const INJECTED_ERROR_EVERY = 100;

const now = (): string => new Date().toISOString();

/**
 * One bill run of the sample platform: each account billed in its own transaction, then its
 * outbound work (provisioning, invoice mail, auto-pay) done with bounded concurrency.
 */
export class BillRun {
  readonly id: number;
  readonly total: number;
  processed = 0;
  private billed = 0;
  private stopRequested = false;
  private readonly st: Statements;
  private readonly accountIds: number[];

  constructor(
    private readonly db: Database.Database,
    private readonly release: Release,
    private readonly faults: ReadonlySet<Fault>,
    private readonly config: BillRunConfig,
  ) {
    this.st = prepareStatements(db);
    this.accountIds = (this.st.accountsToBill.all(config.billDate) as { id: number }[]).map((r) => r.id);
    this.total = this.accountIds.length;
    const startedAt = now();
    this.id = db.transaction(() => {
      const id = Number(this.st.insertBillRun.run(config.billDate, release.version, startedAt).lastInsertRowid);
      this.st.insertEvent.run(startedAt, 'info', 'BillRun', 'Start', 'ok', null, `Bill run ${id} for ${config.billDate} started (release ${release.version})`);
      return id;
    })();
  }

  /** Asks the run to stop after the account it is on; the run then ends as failed. */
  requestStop(): void {
    this.stopRequested = true;
  }

  async run(): Promise<BillRunOutcome> {
    try {
      await this.billAll();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.finish('failed', 'error', 'Run', `Bill run ${this.id} failed: ${reason}`);
      return { status: 'failed', reason };
    }
    if (this.stopRequested) {
      this.finish('failed', 'warning', 'Stop', `Bill run ${this.id} stopped on request after ${this.processed} of ${this.total} accounts`);
      return { status: 'failed', reason: 'stopped' };
    }
    this.finish('completed', 'info', 'Complete', `Bill run ${this.id} completed: ${this.billed} accounts billed`);
    return { status: 'completed' };
  }

  private async billAll(): Promise<void> {
    const settings = readSettings(this.db);
    const rules: BillingRules = { billDate: this.config.billDate, taxRateBp: settings.taxRateBp, faults: this.faults };
    const reach = new Reachability();
    const mailer = new InvoiceMailer(reach, settings.smtp);
    const outbound = new OutboundSteps(this.st, settings, this.config, this.faults, reach, mailer, this.config.billDate);
    const billOne = this.db.transaction((accountId: number, tasks: (() => Promise<void>)[], writes: ResultWrite[]) => {
      const stamp = now();
      const invoice = billAccount(this.st, rules, accountId, stamp);
      if (!invoice) return;
      if (this.faults.has('event-log-error') && this.billed % INJECTED_ERROR_EVERY === 0) {
        this.st.insertEvent.run(stamp, 'error', 'Invoices', 'Render', 'failed', accountId,
          `System.NullReferenceException: Object reference not set to an instance of an object. at Invoices.Renderer.Render(${invoice.invoiceNumber})`);
      }
      this.billed++;
      tasks.push(...outbound.tasksFor(invoice, writes));
    });
    const applyWrites = this.db.transaction((writes: readonly ResultWrite[]) => {
      const stamp = now();
      for (const write of writes) write(stamp);
    });

    try {
      for (let start = 0; start < this.accountIds.length && !this.stopRequested; start += CHUNK_SIZE) {
        const tasks: (() => Promise<void>)[] = [];
        const writes: ResultWrite[] = [];
        for (const accountId of this.accountIds.slice(start, start + CHUNK_SIZE)) {
          if (this.stopRequested) break;
          billOne(accountId, tasks, writes);
          this.processed++;
        }
        await runLimited(tasks, MAX_IN_FLIGHT, () => !this.stopRequested);
        applyWrites(writes);
        await yieldToEventLoop();
      }
    } finally {
      mailer.close();
    }
  }

  private finish(status: 'completed' | 'failed', level: string, action: string, message: string): void {
    const stamp = now();
    this.db.transaction(() => {
      this.st.finishBillRun.run(status, stamp, this.billed, this.id);
      this.st.insertEvent.run(stamp, level, 'BillRun', action, status === 'completed' ? 'ok' : 'failed', null, message);
    })();
  }
}
