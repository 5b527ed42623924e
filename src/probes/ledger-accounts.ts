/** How often one account was expected (rows of the `accounts` query) and sent to (ledger attempts). */
export interface AccountTally {
  readonly account: string;
  readonly expected: number;
  readonly sent: number;
}

/** A job's attempts of one kind against the `accounts` query's rows, compared as multisets. */
export interface AccountsComparison {
  readonly expectedCount: number;
  readonly sentCount: number;
  /** Listed, and sent to more often than listed (twice for a row that appears once). */
  readonly repeated: readonly AccountTally[];
  /** Listed, and sent to less often than listed, or never. */
  readonly missing: readonly AccountTally[];
  /** Sent to, and not listed at all. */
  readonly unexpected: readonly AccountTally[];
  /** Attempts the adapter's `outbound.accountPatterns` found no account in. */
  readonly unattributed: number;
  readonly met: boolean;
}

/** Accounts shown per list in a summary; the counts are always whole. */
const SHOWN = 10;

/**
 * Each listed account must have been sent to exactly as many times as the query lists it, no
 * other account at all, and no attempt may name no account: an attempt we cannot attribute
 * could be the one that went to the wrong place. Lists keep the query's order (the ledger's for
 * unexpected accounts), so a summary reads the same on every run.
 */
export function compareAccounts(expected: readonly string[], sent: readonly (string | undefined)[]): AccountsComparison {
  const tallies = new Map<string, { expected: number; sent: number }>();
  const tally = (account: string): { expected: number; sent: number } => {
    let t = tallies.get(account);
    if (t === undefined) tallies.set(account, (t = { expected: 0, sent: 0 }));
    return t;
  };
  for (const account of expected) tally(account).expected++;
  let unattributed = 0;
  for (const account of sent) {
    if (account === undefined) unattributed++;
    else tally(account).sent++;
  }
  const all = [...tallies].map(([account, t]) => ({ account, ...t }));
  const repeated = all.filter((t) => t.expected > 0 && t.sent > t.expected);
  const missing = all.filter((t) => t.sent < t.expected);
  const unexpected = all.filter((t) => t.expected === 0);
  return { expectedCount: expected.length, sentCount: sent.length, repeated, missing, unexpected, unattributed, met: repeated.length + missing.length + unexpected.length + unattributed === 0 };
}

/** `2 sent to more often than listed: ACC-1 (2 for 1), …` and the like, one clause per kind of difference. */
export function describeAccounts(c: AccountsComparison): string {
  if (c.met) return `${c.sentCount} attempt(s), each to an account the query lists, as often as it lists it`;
  const clauses: string[] = [];
  const list = (tallies: readonly AccountTally[], shown: (t: AccountTally) => string): string =>
    `${tallies.slice(0, SHOWN).map(shown).join(', ')}${tallies.length > SHOWN ? ` and ${tallies.length - SHOWN} more` : ''}`;
  if (c.repeated.length > 0) clauses.push(`${c.repeated.length} account(s) sent to more often than listed: ${list(c.repeated, (t) => `${t.account} (${t.sent} for ${t.expected})`)}`);
  if (c.missing.length > 0) clauses.push(`${c.missing.length} account(s) missing: ${list(c.missing, (t) => (t.expected === 1 ? t.account : `${t.account} (${t.sent} of ${t.expected})`))}`);
  if (c.unexpected.length > 0) clauses.push(`${c.unexpected.length} account(s) not listed: ${list(c.unexpected, (t) => (t.sent === 1 ? t.account : `${t.account} (${t.sent})`))}`);
  if (c.unattributed > 0) clauses.push(`${c.unattributed} attempt(s) naming no account`);
  return `${c.sentCount} attempt(s) for ${c.expectedCount} listed: ${clauses.join('; ')}`;
}
