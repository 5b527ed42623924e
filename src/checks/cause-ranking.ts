/**
 * Ranking the traits of differing accounts by lift, shared by every check that groups differences
 * by cause: a raw count favours traits most accounts have ("holds a monthly package"); lift favours
 * the trait that sets the differing accounts apart.
 */

/**
 * A trait ranks as a cause only when at least this share of the differing accounts have it (and
 * at least `MIN_CAUSE_SUPPORT_ACCOUNTS` of them, or all when fewer differ): a rare trait that two
 * differing accounts happen to share would otherwise top the list by lift alone.
 */
export const MIN_CAUSE_SUPPORT_SHARE = 0.1;
export const MIN_CAUSE_SUPPORT_ACCOUNTS = 3;
/** Below this lift a trait is about as common among the differing accounts as among all: not named as the likely cause. */
export const TELLING_LIFT = 1.5;
/** Distinct traits counted; the rest of the differing accounts' traits go to "other". */
export const MAX_CAUSE_GROUPS = 40;

export const CAUSES_TITLE = 'grouped by cause, most telling first (lift = share of differing accounts with the trait ÷ share of all accounts with it)';

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
 * all accounts. Traits below the minimum support come after every supported one, whatever their lift.
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

/** Adds one account's trait to a group table, folding traits past the cap into "other". */
export function countCause(groups: Map<string, { accounts: number; example: string }>, name: string, account: string): void {
  const key = groups.has(name) || groups.size < MAX_CAUSE_GROUPS ? name : 'other';
  const group = groups.get(key);
  if (group === undefined) groups.set(key, { accounts: 1, example: account });
  else group.accounts++;
}

/** The ranked causes as report rows. */
export function causeRows(ranked: readonly RankedCause[], affected: number, all: number): Record<string, string | number>[] {
  return ranked.map((c) => ({
    cause: c.cause,
    lift: c.lift === undefined ? '—' : formatLift(c.lift),
    'differing accounts': c.accounts,
    'share of differing': percent(c.accounts, affected),
    'share of all accounts': c.total === undefined ? '—' : percent(c.total, all),
    'of accounts with it': c.total === undefined ? '—' : `${c.accounts} of ${c.total} (${percent(c.accounts, c.total)})`,
    support: c.supported ? 'enough' : `below the minimum of ${c.minSupport}`,
    example: c.example,
  }));
}

/** The top cause as a clause for a summary ("; most likely cause: …"), or '' when none is supported. */
export function likelyCauseClause(ranked: readonly RankedCause[], affected: number, all: number): string {
  const top = ranked[0];
  if (top?.supported !== true || top.lift === undefined) return '';
  return top.lift >= TELLING_LIFT
    ? `; most likely cause: ${top.cause} (lift ${formatLift(top.lift)}: ${percent(top.accounts, affected)} of differing accounts, ${percent(top.total ?? 0, all)} of all)`
    : `; no trait tracked here sets the differing accounts apart (highest lift ${formatLift(top.lift)}, ${top.cause})`;
}

export function formatLift(lift: number): string {
  return `×${lift.toFixed(lift >= 10 ? 0 : 1)}`;
}

export function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / Math.max(1, whole))}%`;
}
