import type { DatabaseEngine } from '../engine/types.js';
import { comparableAccounts, type ComparableAccountRow } from '../profiles/sample-platform.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';
import { CAUSES_TITLE, causeRows, countCause, likelyCauseClause, MAX_CAUSE_GROUPS, percent, rankCauses } from './cause-ranking.js';

export { rankCauses } from './cause-ranking.js';

export interface Difference {
  readonly account: string;
  readonly field: string;
  readonly production: string;
  readonly rehearsal: string;
  /** How far apart the two are (cents, minutes); ranks the largest differences first. */
  readonly size: number;
}

const MISSING = Number.MAX_SAFE_INTEGER;

/**
 * Compares every account's bill-run outcome with production's own bill run on the old release:
 * invoice total, charges by type, taxes, balance before this run's payments, next bill dates and
 * pooled minutes used. Both sides are streamed in account-number order and merged in one pass:
 * memory does not grow with the number of accounts, only with the (capped) evidence kept.
 */
export async function checkAgainstProduction(rehearsal: DatabaseEngine, production: DatabaseEngine, billDate: string, toleranceCents: number): Promise<CheckResult> {
  const fieldCounts = new Map<string, number>();
  const causes = new Map<string, { accounts: number; example: string }>();
  const fieldGroups = new Map<string, { accounts: number; example: string }>();
  const traitTotals = new Map<string, number>();
  let accountsSeen = 0;
  const affected: string[] = [];
  let affectedCount = 0;
  const kept: Difference[] = [];
  const keep = (d: Difference): void => {
    fieldCounts.set(d.field, (fieldCounts.get(d.field) ?? 0) + 1);
    kept.push(d);
    if (kept.length > MAX_EVIDENCE_ROWS * 4) {
      kept.sort(largestFirst);
      kept.length = MAX_EVIDENCE_ROWS;
    }
  };

  const compared = await mergeByAccount(rehearsal.stream<ComparableAccountRow>(comparableAccounts(rehearsal.dialect, billDate)), production.stream<ComparableAccountRow>(comparableAccounts(production.dialect, billDate)), (r, p) => {
    const row = r ?? p;
    if (row === undefined) return;
    accountsSeen++;
    const traits = traitsOf(row);
    for (const trait of traits) if (traitTotals.has(trait) || traitTotals.size < MAX_CAUSE_GROUPS) traitTotals.set(trait, (traitTotals.get(trait) ?? 0) + 1);
    const differences = compareAccount(r, p, toleranceCents);
    if (differences.length === 0) return;
    affectedCount++;
    if (affected.length < MAX_LISTED_ACCOUNTS) affected.push(row.account_number);
    for (const d of differences) keep(d);
    for (const field of new Set(differences.map((d) => d.field))) countCause(fieldGroups, field, row.account_number);
    for (const trait of traits) countCause(causes, trait, row.account_number);
  });

  kept.sort(largestFirst);
  const evidence = kept.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({ account: d.account, field: d.field, production: d.production, rehearsal: d.rehearsal }));
  const byField = [...fieldCounts.entries()].map(([field, n]) => `${n} ${field}`).join(', ');
  const failed = affectedCount > 0;
  const ranked = rankCauses(causes, traitTotals, affectedCount, accountsSeen);
  const groups = causeRows(ranked, affectedCount, accountsSeen);
  const fields = [...fieldGroups.entries()]
    .sort((a, b) => b[1].accounts - a[1].accounts || a[0].localeCompare(b[0]))
    .map(([field, g]) => ({ field, 'differing accounts': g.accounts, 'share of differing': percent(g.accounts, affectedCount), example: g.example }));
  const likely = likelyCauseClause(ranked, affectedCount, accountsSeen);
  return {
    id: 'production-diff',
    title: 'Every account billed the same as production billed it on the old release',
    status: failed ? 'failed' : 'passed',
    summary: failed
      ? `${affectedCount} of ${compared} accounts differ from production (${byField})${likely}; largest differences and causes below`
      : `${compared} accounts compared: invoice totals, charges by type, taxes, balances before payments, next bill dates and pooled minutes all match production${toleranceCents > 0 ? ` within ${formatCents(toleranceCents)}` : ''}`,
    ...(failed ? { affectedAccounts: affected, affectedCount } : {}),
    evidence,
    ...(failed
      ? {
          sections: [
            { title: `Differing accounts ${CAUSES_TITLE}`, rows: groups },
            { title: 'Differing accounts by field', rows: fields },
          ],
        }
      : {}),
  };
}

/**
 * Walks two account-ordered streams together, calling `visit` once per account number with the
 * row of each side (undefined where a side lacks the account). Returns how many accounts both had.
 */
export async function mergeByAccount(
  rehearsalRows: AsyncIterable<ComparableAccountRow>,
  productionRows: AsyncIterable<ComparableAccountRow>,
  visit: (rehearsal: ComparableAccountRow | undefined, production: ComparableAccountRow | undefined) => void,
): Promise<number> {
  const left = rehearsalRows[Symbol.asyncIterator]();
  const right = productionRows[Symbol.asyncIterator]();
  let compared = 0;
  let a = await left.next();
  let b = await right.next();
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.account_number < b.value.account_number)) {
      visit(a.value as ComparableAccountRow, undefined);
      a = await left.next();
    } else if (a.done || b.value.account_number < a.value.account_number) {
      visit(undefined, b.value);
      b = await right.next();
    } else {
      compared++;
      visit(a.value, b.value);
      a = await left.next();
      b = await right.next();
    }
  }
  return compared;
}

function largestFirst(x: Difference, y: Difference): number {
  return y.size - x.size || x.account.localeCompare(y.account) || x.field.localeCompare(y.field);
}

/** Sums `kind=amount` pairs by kind. */
export function chargesByKind(text: string | null): Map<string, number> {
  const sums = new Map<string, number>();
  for (const pair of (text ?? '').split(',')) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) continue;
    const kind = pair.slice(0, at);
    sums.set(kind, (sums.get(kind) ?? 0) + Number(pair.slice(at + 1)));
  }
  return sums;
}

/** Every way one account's outcome differs between the rehearsal (`r`) and production (`p`). */
export function compareAccount(r: ComparableAccountRow | undefined, p: ComparableAccountRow | undefined, tolerance: number): Difference[] {
  if (r === undefined && p !== undefined) return [{ account: p.account_number, field: 'missing in rehearsal', production: 'present', rehearsal: '—', size: MISSING }];
  if (p === undefined && r !== undefined) return [{ account: r.account_number, field: 'missing in production result', production: '—', rehearsal: 'present', size: MISSING }];
  if (r === undefined || p === undefined) return [];
  const account = r.account_number;
  const out: Difference[] = [];
  const money = (field: string, rv: number | null, pv: number | null): void => {
    const size = Math.abs((rv ?? 0) - (pv ?? 0));
    if ((rv === null) !== (pv === null) || size > tolerance) out.push({ account, field, production: formatCents(pv), rehearsal: formatCents(rv), size });
  };
  money('invoice total', r.invoice_total_cents, p.invoice_total_cents);
  money('taxes', r.tax_cents, p.tax_cents);
  const rc = chargesByKind(r.charges);
  const pc = chargesByKind(p.charges);
  for (const kind of [...new Set([...rc.keys(), ...pc.keys()])].sort()) money(`charges: ${kind}`, rc.get(kind) ?? null, pc.get(kind) ?? null);
  // Payments are compared by the payments check against the sinkhole ledger; here only what was billed.
  money('balance before payments', r.balance_cents - r.bill_run_payments_cents, p.balance_cents - p.bill_run_payments_cents);
  if ((r.next_bill_dates ?? '') !== (p.next_bill_dates ?? '')) {
    out.push({ account, field: 'next bill dates', production: p.next_bill_dates ?? '—', rehearsal: r.next_bill_dates ?? '—', size: 0 });
  }
  if (r.pool_used_minutes !== p.pool_used_minutes) {
    out.push({ account, field: 'pool minutes used', production: String(p.pool_used_minutes ?? '—'), rehearsal: String(r.pool_used_minutes ?? '—'), size: Math.abs((r.pool_used_minutes ?? 0) - (p.pool_used_minutes ?? 0)) });
  }
  return out;
}

/** Features an account shares with others, to group differences by cause (e.g. "holds a yearly package"). */
export function traitsOf(row: Pick<ComparableAccountRow, 'package_traits' | 'pool_role' | 'is_child'>): string[] {
  const traits = (row.package_traits ?? '').split(',').filter((t) => t !== '');
  const periods = [...new Set(traits.map((t) => t.replace('+discount', '')))].sort();
  return [
    ...periods.map((period) => `holds a ${period} package`),
    traits.some((t) => t.endsWith('+discount')) ? 'has a discount' : 'no discount',
    `pool: ${row.pool_role}`,
    row.is_child === 1 ? 'child account' : 'top-level account',
  ];
}
