/** How the product drives a billing platform's bill run: commands only, as an operator would. */
export interface BillRunConfiguration {
  readonly billDate: string;
  readonly emailInvoices: boolean;
  readonly chargeAutoPay: boolean;
  readonly provision: boolean;
}

export interface BillRunStatus {
  readonly state: 'idle' | 'configured' | 'running' | 'completed' | 'failed';
  readonly processed: number;
  readonly total: number;
  readonly error?: string;
}

export interface BillRunDriver {
  /** Brings the billing service up inside the isolated environment. */
  start(): Promise<void>;
  configure(configuration: BillRunConfiguration): Promise<void>;
  beginBillRun(): Promise<void>;
  status(): Promise<BillRunStatus>;
  /** Stops the billing service so that it cannot bill again; safe to call twice. */
  stop(): Promise<void>;
  /** Last lines of the service's own log, for error messages. */
  logTail(): string;
}
