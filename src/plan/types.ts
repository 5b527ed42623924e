import type { ProbePlan } from '../probes/types.js';
import type { SnapshotCataloguePlan } from '../snapshots/types.js';
import type { SnapshotSelection } from '../snapshots/select.js';
import type { PlatformAdapter } from '../platform/types.js';
import type { ReleaseNote } from '../release-notes/types.js';

/** A rehearsal plan as loaded from YAML, after validation. Paths are absolute. */
export interface Plan {
  readonly version: 1;
  /** Absolute path of the plan file, for messages. */
  readonly file: string;
  readonly releaseCandidate: { readonly id: string; readonly version: string };
  readonly target: 'local' | 'aws';
  readonly platform: PlatformPlan;
  readonly database: DatabasePlan;
  /** Stand-ins with a generator only: generate the snapshot and production result when they are missing. */
  readonly sample?: { readonly accounts: number; readonly seed: number };
  /**
   * The pre-bill-run backup the run restores. A catalogue is replaced by the backup picked from it
   * before anything is created (`resolveSnapshot`, run by pre-flight); stages only see the pick.
   */
  readonly snapshot: SnapshotPlan;
  /** Set once a catalogue was resolved: which backup was picked from it and why. */
  readonly snapshotSelection?: SnapshotSelection & { readonly catalogue: string };
  /** Production's own bill run on the old release, which the rehearsal is compared with (read only). */
  readonly productionResult: ProductionResultPlan;
  readonly billRun: BillRunPlan;
  readonly sanitize: SanitizePlan;
  readonly scenarios: readonly ScenarioPlan[];
  readonly checklist: readonly ChecklistItemPlan[];
  readonly egress: EgressPlan;
  readonly verify: VerifyPlan;
  readonly report: { readonly dir: string };
  /** What the release changes on purpose: differences they describe are explained, not failures. */
  readonly releaseNotes: readonly ReleaseNote[];
  readonly platformOverrides: PlatformOverridesPlan;
}

/** Where the plan departs from production on purpose (`platformOverrides`), each with its reason. */
export interface PlatformOverridesPlan {
  /** Bill-run configuration items set otherwise than production's last bill run. */
  readonly configuration: readonly ConfigurationOverride[];
  /** Other services of the platform run during the bill run instead of kept stopped. */
  readonly enableServices: readonly ServiceEnablement[];
}

export interface ConfigurationOverride {
  readonly item: string;
  readonly value: string;
  readonly reason: string;
  /** file:line:column of the override in the plan, for errors found once production's result is read. */
  readonly at: string;
}

export interface ServiceEnablement {
  readonly service: string;
  readonly reason: string;
}

/**
 * Where the pre-bill-run copy comes from. SQLite: a file copied byte for byte. SQL Server: a
 * native .bak the server reads (RESTORE ... WITH MOVE), a .bak in S3 restored by Amazon RDS, or
 * a database Pulumi already restored from an RDS DB snapshot, which the run attaches and marks.
 */
export type SnapshotPlan =
  | { readonly kind: 'sqlite-file'; readonly path: string }
  | { readonly kind: 'mssql-backup-file'; readonly backupFile: string }
  | { readonly kind: 'rds-s3-backup'; readonly s3Arn: string }
  | { readonly kind: 'mssql-database'; readonly database: string }
  | { readonly kind: 'catalogue'; readonly catalogue: SnapshotCataloguePlan };

/**
 * SQLite: a file opened read-only. SQL Server: a database on the rehearsal server, only ever read.
 * `ledger`: what production's bill run sent, captured as a sinkhole ledger (JSON lines), when there
 * is one (the stand-in's); without it what production sent is read from what its database recorded.
 */
export type ProductionResultPlan = ({ readonly kind: 'sqlite-file'; readonly path: string } | { readonly kind: 'mssql-database'; readonly database: string }) & {
  readonly ledger?: string;
};

export interface PlatformPlan {
  /** The platform's adapter (`platform.adapter`, or `platform.kind: <name>` for `platforms/<name>/`). */
  readonly adapter: PlatformAdapter;
  /** Which of the adapter's releases runs the bill run. */
  readonly release: string;
  /** Stand-ins only: regression switches that make the release wrong on purpose. */
  readonly faults: readonly string[];
}

export interface DatabasePlan {
  readonly engine: 'sqlite' | 'mssql';
  /** mssql: the server named as the rehearsal target; the production guard refuses any other. */
  readonly server?: string;
  /** mssql: environment variable holding the connection string (never the string itself). */
  readonly connectionStringEnv?: string;
}

export interface BillRunPlan {
  /** ISO date (YYYY-MM-DD) of the production bill run being rehearsed. */
  readonly date: string;
  readonly timeoutSeconds: number;
  readonly configuration: {
    readonly emailInvoices: boolean;
    readonly chargeAutoPay: boolean;
    readonly provision: boolean;
  };
}

export interface SanitizePlan {
  readonly rules: string;
  readonly safeDomain: string;
  /** Environment variable with the per-run masking secret; a random one is made when unset. */
  readonly secretEnv: string;
  /** Columns the PII proof may find values in, each with the reason a person wrote. */
  readonly allow: readonly { readonly column: string; readonly reason: string }[];
  /** Production's DNS domains: the sanitize proof finds any host under them in any text column. */
  readonly productionDomains: readonly string[];
  /** Rows per masking batch, each its own transaction. */
  readonly batchRows: number;
}

export interface ScenarioPlan {
  readonly account: string;
  readonly why: string;
  readonly expect: ScenarioExpectation;
}

export interface ScenarioExpectation {
  /** Invoice total for this bill run, in currency units (e.g. 123.45). */
  readonly invoiceTotal?: number;
  /** Balance after the bill run, in currency units. */
  readonly balance?: number;
  /** Every recurring package billed in this run has its next bill date moved on by its period. */
  readonly nextBillDatesAdvanced?: boolean;
  /** The account's pooled minute bucket was charged with its whole family's usage. */
  readonly poolMinutesApplied?: boolean;
  /** The account was billed in this run (false: it must not be, e.g. cancelled or another bill day). */
  readonly billed?: boolean;
}

export interface ChecklistItemPlan {
  readonly id: string;
  readonly title: string;
  /** Ids of automated checks that prove this item. */
  readonly checks: readonly string[];
  /** Who signs the item off when it cannot be automated. */
  readonly signOff?: string;
  /** What runs after the bill run to prove it (src/probes/); each reports as a check of its own. */
  readonly probes: readonly ProbePlan[];
}

export interface EgressPlan {
  readonly policy: 'deny-all' | 'allowlist';
  readonly mailServers: readonly string[];
  readonly switches: readonly { readonly host: string; readonly ports: readonly number[] }[];
  readonly switchCidrs: readonly string[];
  readonly allowlist: readonly string[];
  /** When the payment sinkhole declines (default: cards ending 0002); a test of the environment, not of the release. */
  readonly paymentSinkhole?: { readonly declineLast4?: readonly string[]; readonly declineAboveCents?: number };
}

export interface VerifyPlan {
  /** Largest money difference (currency units) still counted as equal. */
  readonly tolerance: number;
  /** Accounts the bill run must provision; when absent, every billed account with a pending package change. */
  readonly expectedProvisioning?: readonly string[];
  /** Permissions the release is meant to grant to roles that already exist, each with the reason a person wrote. */
  readonly expectedPermissionChanges: readonly ExpectedPermissionChange[];
  /** Permissions staff users may gain other than through a grant to a role they already held (a direct grant, a new role). */
  readonly expectedStaffPermissionChanges: readonly ExpectedStaffPermissionChange[];
  /** What the state differential leaves out: whole tables or `table.column`, each with the plan's reason. */
  readonly stateDifferential: { readonly ignore: readonly StateDifferentialIgnore[] };
  /**
   * `production-release`: a control run of production's release on a second copy in the same
   * sandbox, before the candidate's; candidate against control is the release's effect, control
   * against production's result the environment's noise.
   */
  readonly control?: 'production-release';
  /** Rows of noise (control against production) tolerated before it is a warning; default 0. */
  readonly controlNoiseRows: number;
}

export interface ExpectedPermissionChange {
  readonly role: string;
  readonly permission: string;
  readonly reason: string;
}

/**
 * A permission a staff user may gain, chosen by `user` (the login as production names it, or as
 * the report shows it masked) or by `role` (every user holding that role in the rehearsal).
 * `reason` is the plan's, or the cited release note's id and title.
 */
export interface ExpectedStaffPermissionChange {
  readonly user?: string;
  readonly role?: string;
  readonly permission: string;
  readonly reason: string;
  readonly releaseNote?: string;
}

/** A whole table, or one `table.column`, the state differential does not compare, with the plan's reason. */
export interface StateDifferentialIgnore {
  readonly table?: string;
  readonly column?: string;
  readonly reason: string;
}
