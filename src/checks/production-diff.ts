import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { comparableAccounts, type ComparableAccount } from './comparable-accounts.js';
import { notConfigured, periodName } from './not-configured.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';

export interface Difference {
  readonly account: string;
  readonly field: string;
  readonly production: string;
  readonly rehearsal: string;
  /** How far apart the two are (cents, minutes); ranks the largest differences first. */
  readonly size: number;
}

/** Groups of differing accounts kept in the report; the rest are counted under "other". */
const MAX_CAUSE_GROUPS = 40;
/**
 * A trait ranks as a cause only when at least this share of the differing accounts have it (and
 * at least `MIN_CAUSE_SUPPORT_ACCOUNTS` of them, or all when fewer differ): a rare trait that two
 * differing accounts happen to share would otherwise top the list by lift alone.
 */
export const MIN_CAUSE_SUPPORT_SHARE = 0.1;
export const MIN_CAUSE_SUPPORT_ACCOUNTS = 3;
/** Below this lift a trait is about as common among the differing accounts as among all: not named as the likely cause. */
const TELLING_LIFT = 1.5;
const MISSING = Number.MAX_SAFE_INTEGER;

/**
 * Compares every account's bill-run outcome with production's own bill run on the old release:
 * invoice total, charges by type, taxes, balance before this run's payments, next bill dates and
 * pooled minutes used. Both sides are streamed in account-number order and merged in one pass:
 * memory does not grow with the number of accounts, only with the (capped) evidence kept.
 */
export async function checkAgainstProduction(rehearsal: DatabaseEngine, production: DatabaseEngine, billDate: string, toleranceCents: number, profile: Profile): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, { id: 'production-diff', title: 'Every account billed the same as production billed it on the old release' }, ['comparableAccounts', 'charges']);
  if (unconfigured !== undefined) return unconfigured;
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
  const countIn = (groups: Map<string, { accounts: number; example: string }>, name: string, account: string): void => {
    const key = groups.has(name) || groups.size < MAX_CAUSE_GROUPS ? name : 'other';
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { accounts: 1, example: account });
    else group.accounts++;
  };

  const compared = await mergeByAccount(comparableAccounts(profile, rehearsal, billDate), comparableAccounts(profile, production, billDate), (r, p) => {
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
    for (const field of new Set(differences.map((d) => d.field))) countIn(fieldGroups, field, row.account_number);
    for (const trait of traits) countIn(causes, trait, row.account_number);
  });

  kept.sort(largestFirst);
  const evidence = kept.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({ account: d.account, field: d.field, production: d.production, rehearsal: d.rehearsal }));
  const byField = [...fieldCounts.entries()].map(([field, n]) => `${n} ${field}`).join(', ');
  const failed = affectedCount > 0;
  const ranked = rankCauses(causes, traitTotals, affectedCount, accountsSeen);
  const groups = ranked.map((c) => ({
    cause: c.cause,
    lift: c.lift === undefined ? '—' : formatLift(c.lift),
    'differing accounts': c.accounts,
    'share of differing': percent(c.accounts, affectedCount),
    'share of all accounts': c.total === undefined ? '—' : percent(c.total, accountsSeen),
    'of accounts with it': c.total === undefined ? '—' : `${c.accounts} of ${c.total} (${percent(c.accounts, c.total)})`,
    support: c.supported ? 'enough' : `below the minimum of ${c.minSupport}`,
    example: c.example,
  }));
  const fields = [...fieldGroups.entries()]
    .sort((a, b) => b[1].accounts - a[1].accounts || a[0].localeCompare(b[0]))
    .map(([field, g]) => ({ field, 'differing accounts': g.accounts, 'share of differing': percent(g.accounts, affectedCount), example: g.example }));
  const top = ranked[0];
  let likely = '';
  if (top?.supported === true && top.lift !== undefined) {
    likely =
      top.lift >= TELLING_LIFT
        ? `; most likely cause: ${top.cause} (lift ${formatLift(top.lift)}: ${percent(top.accounts, affectedCount)} of differing accounts, ${percent(top.total ?? 0, accountsSeen)} of all)`
        : `; no trait tracked here sets the differing accounts apart (highest lift ${formatLift(top.lift)}, ${top.cause})`;
  }
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
            { title: 'Differing accounts grouped by cause, most telling first (lift = share of differing accounts with the trait ÷ share of all accounts with it)', rows: groups },
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
  rehearsalRows: AsyncIterable<ComparableAccount>,
  productionRows: AsyncIterable<ComparableAccount>,
  visit: (rehearsal: ComparableAccount | undefined, production: ComparableAccount | undefined) => void,
): Promise<number> {
  const left = rehearsalRows[Symbol.asyncIterator]();
  const right = productionRows[Symbol.asyncIterator]();
  let compared = 0;
  let a = await left.next();
  let b = await right.next();
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.account_number < b.value.account_number)) {
      visit(a.value as ComparableAccount, undefined);
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

/** Every way one account's outcome differs between the rehearsal (`r`) and production (`p`). */
export function compareAccount(r: ComparableAccount | undefined, p: ComparableAccount | undefined, tolerance: number): Difference[] {
  if (r === undefined && p !== undefined) return [{ account: p.account_number, field: 'missing in rehearsal', production: 'present', rehearsal: '—', size: MISSING }];
  if (p === undefined && r !== undefined) return [{ account: r.account_number, field: 'missing in production result', production: '—', rehearsal: 'present', size: MISSING }];
  if (r === undefined || p === undefined) return [];
  const account = r.account_number;
  const out: Difference[] = [];
  const money = (field: string, rv: number | null, pv: number | null): void => {
    const size = Math.abs((rv ?? 0) - (pv ?? 0));
    if ((rv === null) !== (pv === null) || size > tolerance) out.push({ account, field, production: formatCents(pv), rehearsal: formatCents(rv), size });
  };
  money('invoice total', r.invoice_total, p.invoice_total);
  money('taxes', r.tax, p.tax);
  const rc = r.chargesByKind;
  const pc = p.chargesByKind;
  for (const kind of [...new Set([...rc.keys(), ...pc.keys()])].sort()) money(`charges: ${kind}`, rc.get(kind) ?? null, pc.get(kind) ?? null);
  // Payments are compared by the payments check against the sinkhole ledger; here only what was billed.
  money('balance before payments', r.balance - r.bill_run_payments, p.balance - p.bill_run_payments);
  if ((r.next_bill_dates ?? '') !== (p.next_bill_dates ?? '')) {
    out.push({ account, field: 'next bill dates', production: p.next_bill_dates ?? '—', rehearsal: r.next_bill_dates ?? '—', size: 0 });
  }
  if (r.pool_used_minutes !== p.pool_used_minutes) {
    out.push({ account, field: 'pool minutes used', production: String(p.pool_used_minutes ?? '—'), rehearsal: String(r.pool_used_minutes ?? '—'), size: Math.abs((r.pool_used_minutes ?? 0) - (p.pool_used_minutes ?? 0)) });
  }
  return out;
}

export interface RankedCause {
  readonly cause: string;
  readonly accounts: number;
  /** Accounts with the trait among all compared (undefined for the catch-all "other"). */
  readonly total: number | undefined;
  readonly lift: number | undefined;
  readonly supported: boolean;
  readonly minSupport: number;
  readonly example: string;
}

/**
 * Orders causes by lift: how much more common the trait is among the differing accounts than among
 * all accounts. A raw count favours traits most accounts have ("holds a monthly package"); lift
 * favours the trait that sets the differing accounts apart. Traits below the minimum support come
 * after every supported one, whatever their lift.
 */
export function rankCauses(causes: ReadonlyMap<string, { accounts: number; example: string }>, traitTotals: ReadonlyMap<string, number>, affected: number, all: number): RankedCause[] {
  const minSupport = Math.max(1, Math.min(affected, Math.max(MIN_CAUSE_SUPPORT_ACCOUNTS, Math.ceil(MIN_CAUSE_SUPPORT_SHARE * affected))));
  return [...causes.entries()]
    .map(([cause, g]) => {
      const total = traitTotals.get(cause);
      const lift = total === undefined || total === 0 || affected === 0 ? undefined : g.accounts / affected / (total / Math.max(1, all));
      return { cause, accounts: g.accounts, total, lift, supported: lift !== undefined && g.accounts >= minSupport, minSupport, example: g.example };
    })
    .sort((a, b) => Number(b.supported) - Number(a.supported) || (b.lift ?? -1) - (a.lift ?? -1) || b.accounts - a.accounts || a.cause.localeCompare(b.cause));
}

function formatLift(lift: number): string {
  return `×${lift.toFixed(lift >= 10 ? 0 : 1)}`;
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / Math.max(1, whole))}%`;
}

/** Features an account shares with others, to group differences by cause (e.g. "holds a yearly package"). */
function traitsOf(row: ComparableAccount): string[] {
  const traits = (row.package_traits ?? '').split(',').filter((t) => t !== '');
  const periods = [...new Set(traits.map((t) => periodName(Number(t.replace('+discount', '')))))].sort();
  return [
    ...periods.map((period) => `holds a ${period} package`),
    traits.some((t) => t.endsWith('+discount')) ? 'has a discount' : 'no discount',
    `pool: ${row.pool_role}`,
    row.is_child === 1 ? 'child account' : 'top-level account',
  ];
}
