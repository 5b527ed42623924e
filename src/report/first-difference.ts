import type { CheckResult } from '../checks/types.js';

type Row = Readonly<Record<string, string | number | boolean | null>>;

/** The one difference a reader sees first: which check, which account, what production did and what the rehearsal did. */
export interface FirstDifference {
  readonly check: string;
  readonly account: string;
  /** What differs: the field, table and column, or expectation. */
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
}

const ACCOUNT_KEYS = ['account', 'example account'] as const;
const EXPECTED_KEYS = ['production', 'expected'] as const;
const ACTUAL_KEYS = ['rehearsal', 'actual'] as const;
const WHAT_KEYS = ['field', 'expectation', 'difference', 'change'] as const;

function firstOf(row: Row, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = row[key];
    if (value !== undefined && value !== null && value !== '' && value !== '—') return String(value);
  }
  return undefined;
}

/** A row that says both what production did and what the rehearsal did, and is not a passed expectation. */
function differingRow(rows: readonly Row[]): Row | undefined {
  return rows.find((row) => row.ok !== true && firstOf(row, EXPECTED_KEYS) !== undefined && firstOf(row, ACTUAL_KEYS) !== undefined);
}

/**
 * The first failed check (in the order the checks ran, which is the order a billing engineer reads
 * them: the bill run, the named accounts, every account, then the rest) with its first row that
 * shows both sides; a failed check without such a row is shown with its summary.
 */
export function firstDifference(checks: readonly CheckResult[]): FirstDifference | undefined {
  const failed = checks.filter((c) => c.status === 'failed');
  for (const check of failed) {
    const row = differingRow([...(check.evidence ?? []), ...(check.sections ?? []).flatMap((s) => s.rows)]);
    if (row === undefined) continue;
    const table = typeof row.table === 'string' ? `${row.table}.` : '';
    return {
      check: check.id,
      account: firstOf(row, ACCOUNT_KEYS) ?? check.affectedAccounts?.[0] ?? '—',
      what: `${table}${firstOf(row, WHAT_KEYS) ?? check.title}`,
      expected: firstOf(row, EXPECTED_KEYS) ?? '—',
      actual: firstOf(row, ACTUAL_KEYS) ?? '—',
    };
  }
  const check = failed[0];
  return check === undefined ? undefined : { check: check.id, account: check.affectedAccounts?.[0] ?? '—', what: check.summary, expected: '—', actual: '—' };
}
