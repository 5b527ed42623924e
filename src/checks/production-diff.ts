import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { comparableAccounts, type ComparableAccount } from './comparable-accounts.js';
import { notConfigured } from './not-configured.js';
import { forEachFeatureTraits, traitsOf } from './account-traits.js';
import { MAX_DIFFERING_ACCOUNTS } from '../differential/differences.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';
import { CAUSES_TITLE, causeRows, countCause, likelyCauseClause, MAX_CAUSE_GROUPS, percent, rankCauses } from './cause-ranking.js';
import type { DifferingAccounts } from '../differential/differing-accounts.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';

export { rankCauses } from './cause-ranking.js';

export interface Difference {
  readonly account: string;
  readonly field: string;
  readonly production: string;
  readonly rehearsal: string;
  /** How far apart the two are (cents, minutes); ranks the largest differences first. */
  readonly size: number;
  /** Both values in cents (or minutes) where they are numbers, for release-note bounds. */
  readonly values?: { readonly rehearsal: number | null; readonly production: number | null };
}

const MISSING = Number.MAX_SAFE_INTEGER;

/**
 * Compares every account's bill-run outcome with production's own bill run on the old release:
 * invoice total, charges by type, taxes, balance before this run's payments, next bill dates and
 * pooled minutes used. With `serverSide` the engine finds the differing accounts across both
 * databases and only those reach this process; otherwise both sides are streamed in account-number
 * order and merged in one pass. Either way memory does not grow with the number of accounts, only
 * with the (capped) evidence kept, and the findings are the same.
 */
export async function checkAgainstProduction(rehearsal: DatabaseEngine, production: DatabaseEngine, billDate: string, toleranceCents: number, profile: Profile, serverSide?: DifferingAccountsSource, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, { id: 'production-diff', title: 'Every account billed the same as production billed it on the old release' }, ['comparableAccounts', 'charges']);
  if (unconfigured !== undefined) return unconfigured;
  const onServer = serverSide === undefined ? undefined : await serverSide(async (found) => {
    const fold = new AccountFold(toleranceCents, releaseNotes);
    fold.accountsSeen = found.accounts;
    for (const group of found.traitGroups) fold.countTraits(traitsOf(group.row), group.accounts);
    for await (const [r, p] of found.differing()) fold.visit(r, p);
    await fold.countFeatureTraits(rehearsal, profile, billDate);
    return fold.result(found.inBoth, toleranceCents);
  });
  if (onServer !== undefined) return onServer;
  const fold = new AccountFold(toleranceCents, releaseNotes);
  const compared = await mergeByAccount(comparableAccounts(profile, rehearsal, billDate), comparableAccounts(profile, production, billDate), (r, p) => {
    const row = r ?? p;
    if (row === undefined) return;
    fold.accountsSeen++;
    fold.countTraits(traitsOf(row), 1);
    fold.visit(r, p);
  });
  await fold.countFeatureTraits(rehearsal, profile, billDate);
  return fold.result(compared, toleranceCents);
}

/**
 * Runs `use` on the differing accounts the engine found across both databases, or returns
 * undefined when it cannot (another server, tables that differ): the merge compares them then.
 */
export type DifferingAccountsSource = <T>(use: (found: DifferingAccounts) => Promise<T>) => Promise<T | undefined>;

/**
 * Everything the check reports, folded one account at a time in account-number order: the same
 * whether every account streams past (the merge) or only the differing ones (the engine compared).
 */
class AccountFold {
  private readonly fieldCounts = new Map<string, number>();
  private readonly causes = new Map<string, { accounts: number; example: string }>();
  private readonly fieldGroups = new Map<string, { accounts: number; example: string }>();
  private readonly traitTotals = new Map<string, number>();
  accountsSeen = 0;
  private readonly affected: string[] = [];
  /** Differing accounts, as far as the cap allows: their feature traits are counted as causes once every account is folded. */
  private readonly differing = new Set<string>();
  private affectedCount = 0;
  private readonly kept: Difference[] = [];

  constructor(
    private readonly toleranceCents: number,
    private readonly releaseNotes?: ReleaseNoteLabeller,
  ) {}

  /** Base rates: `accounts` more accounts with these traits. */
  countTraits(traits: readonly string[], accounts: number): void {
    for (const trait of traits) if (this.traitTotals.has(trait) || this.traitTotals.size < MAX_CAUSE_GROUPS) this.traitTotals.set(trait, (this.traitTotals.get(trait) ?? 0) + accounts);
  }

  visit(r: ComparableAccount | undefined, p: ComparableAccount | undefined): void {
    const row = r ?? p;
    if (row === undefined) return;
    const found = compareAccount(r, p, this.toleranceCents);
    const differences = this.releaseNotes === undefined || found.length === 0 ? found : this.releaseNotes.accountFields('production-diff', row.account_number, found).unexplained;
    if (differences.length === 0) return;
    this.affectedCount++;
    if (this.affected.length < MAX_LISTED_ACCOUNTS) this.affected.push(row.account_number);
    if (this.differing.size < MAX_DIFFERING_ACCOUNTS) this.differing.add(row.account_number);
    for (const d of differences) this.keep(d);
    for (const field of new Set(differences.map((d) => d.field))) countCause(this.fieldGroups, field, row.account_number);
    for (const trait of traitsOf(row)) countCause(this.causes, trait, row.account_number);
  }

  /**
   * How each account pays and its price plans (`accountFeatures`), read once and only when some
   * account differs: base rates over every account, causes over the differing ones.
   */
  async countFeatureTraits(engine: DatabaseEngine, profile: Profile, billDate: string): Promise<void> {
    if (this.affectedCount === 0) return;
    await forEachFeatureTraits(engine, profile, billDate, (account, traits) => {
      this.countTraits(traits, 1);
      if (this.differing.has(account)) for (const trait of traits) countCause(this.causes, trait, account);
    });
  }

  private keep(d: Difference): void {
    this.fieldCounts.set(d.field, (this.fieldCounts.get(d.field) ?? 0) + 1);
    this.kept.push(d);
    if (this.kept.length > MAX_EVIDENCE_ROWS * 4) {
      this.kept.sort(largestFirst);
      this.kept.length = MAX_EVIDENCE_ROWS;
    }
  }

  result(compared: number, toleranceCents: number): CheckResult {
    const { kept, affectedCount, accountsSeen } = this;
    kept.sort(largestFirst);
    const evidence = kept.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({ account: d.account, field: d.field, production: d.production, rehearsal: d.rehearsal }));
    const byField = [...this.fieldCounts.entries()].map(([field, n]) => `${n} ${field}`).join(', ');
    const failed = affectedCount > 0;
    const ranked = rankCauses(this.causes, this.traitTotals, affectedCount, accountsSeen);
    const groups = causeRows(ranked, affectedCount, accountsSeen);
    const fields = [...this.fieldGroups.entries()]
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
      ...(failed ? { affectedAccounts: this.affected, affectedCount } : {}),
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
    if ((rv === null) !== (pv === null) || size > tolerance) out.push({ account, field, production: formatCents(pv), rehearsal: formatCents(rv), size, values: { rehearsal: rv, production: pv } });
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
    out.push({
      account,
      field: 'pool minutes used',
      production: String(p.pool_used_minutes ?? '—'),
      rehearsal: String(r.pool_used_minutes ?? '—'),
      size: Math.abs((r.pool_used_minutes ?? 0) - (p.pool_used_minutes ?? 0)),
      values: { rehearsal: r.pool_used_minutes, production: p.pool_used_minutes },
    });
  }
  return out;
}
