import type { DatabaseEngine } from '../engine/types.js';
import type { PlatformAdapter } from '../platform/types.js';
import type { SandboxHttpAgent } from './agent.js';
import type { ProbeEnvironment } from './environment.js';
import type { ServicePool } from './service-pool.js';

/** What every probe gets: the sandbox, the billed copy, the services it may start, and its `{{values}}`. */
export interface ProbeRunContext {
  readonly env: ProbeEnvironment;
  readonly adapter: PlatformAdapter;
  readonly engine: DatabaseEngine;
  /** The SQLite copy's path, opened read-only for `sql` probes; undefined on SQL Server. */
  readonly databasePath?: string;
  readonly ledgerPath: string;
  readonly agent: SandboxHttpAgent;
  readonly services: ServicePool;
  readonly variables: Readonly<Record<string, string>>;
}

export type Evidence = Record<string, string | number | boolean | null>;

/** A probe's finding before it becomes a check: `error` when it could not run at all. */
export interface ProbeFinding {
  readonly outcome: 'passed' | 'failed' | 'error';
  readonly summary: string;
  readonly evidence: readonly Evidence[];
}
