import { MAX_DIFFERING_ACCOUNTS, type DifferenceGroup, type DifferenceSummary } from '../differential/differences.js';
import { countCause, MAX_CAUSE_GROUPS, rankCauses, TELLING_LIFT, formatLift, type RankedCause } from './cause-ranking.js';

/**
 * Visits every account once with the traits its differences are grouped by ("holds a yearly
 * package"). The platform's profile says what the traits are; the differential knows no platform.
 */
export type AccountTraitSource = (visit: (account: string, traits: readonly string[]) => void) => Promise<void>;

export interface StateCauses {
  /** Causes of all differing accounts (as far as the summary kept them), most telling first. */
  readonly ranked: readonly RankedCause[];
  /** Differing accounts the ranking is based on. */
  readonly affected: number;
  /** Accounts the traits were read for. */
  readonly all: number;
  /** Per difference group (by `table.what`), its most telling supported cause, if one stands out. */
  readonly likelyByGroup: ReadonlyMap<DifferenceGroup, RankedCause>;
}

/**
 * One pass over every account's traits: how common each trait is among all accounts, among the
 * differing ones, and among the accounts of each shown group; then lift ranks them as
 * production-diff does. Only the (capped) differing accounts are held, never all accounts.
 */
export async function rankStateCauses(summary: DifferenceSummary, groups: readonly DifferenceGroup[], traits: AccountTraitSource): Promise<StateCauses> {
  const totals = new Map<string, number>();
  const causes = new Map<string, { accounts: number; example: string }>();
  const perGroup = groups.map(() => new Map<string, { accounts: number; example: string }>());
  let all = 0;
  await traits((account, accountTraits) => {
    all++;
    for (const trait of accountTraits) if (totals.has(trait) || totals.size < MAX_CAUSE_GROUPS) totals.set(trait, (totals.get(trait) ?? 0) + 1);
    const differs = summary.accounts.has(account);
    // Past the summary's cap a group may still hold an account the summary no longer took.
    if (!differs && summary.accounts.size < MAX_DIFFERING_ACCOUNTS) return;
    if (differs) for (const trait of accountTraits) countCause(causes, trait, account);
    groups.forEach((group, i) => {
      if (group.accounts.has(account)) for (const trait of accountTraits) countCause(perGroup[i] as Map<string, { accounts: number; example: string }>, trait, account);
    });
  });
  const affected = summary.accounts.size;
  const likelyByGroup = new Map<DifferenceGroup, RankedCause>();
  groups.forEach((group, i) => {
    const top = rankCauses(perGroup[i] as Map<string, { accounts: number; example: string }>, totals, group.accounts.size, all)[0];
    if (top?.supported === true && top.lift !== undefined && top.lift >= TELLING_LIFT) likelyByGroup.set(group, top);
  });
  return { ranked: rankCauses(causes, totals, affected, all), affected, all, likelyByGroup };
}

/** A group's likely cause as one cell: "holds a yearly package (×10)". */
export function likelyCauseCell(cause: RankedCause | undefined): string {
  return cause === undefined || cause.lift === undefined ? '—' : `${cause.cause} (${formatLift(cause.lift)})`;
}
