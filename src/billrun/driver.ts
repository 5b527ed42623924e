import type { PlatformDatabase } from './platform-database.js';

/** How the product drives a billing platform's bill run: commands only, as an operator would. */
export interface BillRunConfiguration {
  readonly billDate: string;
  readonly emailInvoices: boolean;
  readonly chargeAutoPay: boolean;
  readonly provision: boolean;
  /** The platform's own configuration items (name → value): production's last bill run's, with the plan's overrides. */
  readonly settings: Readonly<Record<string, string>>;
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

/** What every driver is given: where the platform runs and bills, and how to report its processes. */
export interface DriverContext {
  /** The sandbox's namespace: commands and services run behind `execPrefix`. */
  readonly namespace: { readonly name: string; readonly execPrefix: readonly string[] };
  readonly database: PlatformDatabase;
  /** The run's work folder (sockets, service logs); removed by destroy. */
  readonly workDir: string;
  /** The adapter's folder. */
  readonly adapterDir: string;
  /** The release that bills and its version, and the regression switches the plan turns on. */
  readonly release: string;
  readonly version: string;
  readonly switches: readonly string[];
  /** Extra environment for the platform (e.g. the sinkholes' CA it must trust). */
  readonly env: Readonly<Record<string, string>>;
  /** Called with a service's pid the moment it is spawned, so cleanup finds it after a crash. */
  readonly onSpawn: (pid: number) => void;
}

/** What a driver module (`driver.kind: module`) exports. */
export interface DriverModule {
  createDriver(context: DriverContext): BillRunDriver;
}
