/** One result shape for every check, so the report is built from data, not from prose. */
export type CheckStatus = 'passed' | 'failed' | 'warning' | 'skipped' | 'to-confirm';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** One sentence a release manager can read. */
  readonly summary: string;
  /** Accounts the check found wrong (capped; `affectedCount` has the full number). */
  readonly affectedAccounts?: readonly string[];
  readonly affectedCount?: number;
  /** Rows that back the summary: small tables of what was compared. */
  readonly evidence?: readonly Record<string, string | number | boolean | null>[];
  /** Further small tables (e.g. differences grouped by cause), each under its own heading. */
  readonly sections?: readonly EvidenceSection[];
}

export interface EvidenceSection {
  readonly title: string;
  readonly rows: readonly Record<string, string | number | boolean | null>[];
}

export const MAX_LISTED_ACCOUNTS = 50;
export const MAX_EVIDENCE_ROWS = 50;
