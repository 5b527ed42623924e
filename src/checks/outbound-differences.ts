import { StringIds } from '../compact/columns.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult, type EvidenceSection } from './types.js';

export type EvidenceRow = Record<string, string | number | boolean | null>;

/** Accounts named per kind of difference in the report; the rest are counted. */
export const EXAMPLES_PER_KIND = 5;

interface KindTally {
  count: number;
  readonly examples: string[];
}

/** Says whether a difference is explained (by a release note): explained ones are not logged. */
export type ExplainOutbound = (account: string | undefined, kind: string, row: EvidenceRow) => boolean;

/**
 * Collects the differences one outbound check finds: every affected account counted, the first
 * accounts and rows kept for the report, and a count per kind of difference ("not mailed") with its
 * first few accounts. A million differing accounts cost a compact id each, and the report stays
 * the same size as for fifty.
 */
export class DifferenceLog {
  private readonly accounts = new StringIds();
  private readonly listed: string[] = [];
  private unnamed = false;
  private readonly rows: EvidenceRow[] = [];
  private readonly kinds = new Map<string, KindTally>();

  constructor(private readonly explain?: ExplainOutbound) {}

  add(account: string | undefined, kind: string, row: EvidenceRow): void {
    if (this.explain?.(account, kind, row) === true) return;
    const name = account ?? '—';
    if (account === undefined) this.unnamed = true;
    else if (this.accounts.find(account) < 0) {
      this.accounts.intern(account);
      if (this.listed.length < MAX_LISTED_ACCOUNTS) this.listed.push(account);
    }
    let tally = this.kinds.get(kind);
    if (tally === undefined) {
      tally = { count: 0, examples: [] };
      this.kinds.set(kind, tally);
    }
    tally.count++;
    if (tally.examples.length < EXAMPLES_PER_KIND && !tally.examples.includes(name)) tally.examples.push(name);
    if (this.rows.length < MAX_EVIDENCE_ROWS) this.rows.push({ account: name, difference: kind, ...row });
  }

  get size(): number {
    let n = 0;
    for (const tally of this.kinds.values()) n += tally.count;
    return n;
  }

  /** "12 not mailed, 3 recipient differs", most frequent first. */
  describe(): string {
    return this.byCount().map(([kind, g]) => `${g.count} ${kind}`).join(', ');
  }

  private byCount(): [string, KindTally][] {
    return [...this.kinds.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  }

  /** The check's result: failed with the affected accounts when anything differs, else `passed` with `passedSummary`. */
  result(base: { id: string; title: string }, passedSummary: string, evidence: readonly EvidenceRow[], extraSections: readonly EvidenceSection[] = []): CheckResult {
    if (this.size === 0) return { ...base, status: 'passed', summary: passedSummary, evidence, ...(extraSections.length > 0 ? { sections: extraSections } : {}) };
    const named = this.accounts.size;
    return {
      ...base,
      status: 'failed',
      summary: `${named + (this.unnamed ? 1 : 0)} account(s) differ: ${this.describe()}`,
      affectedAccounts: this.listed,
      affectedCount: named,
      evidence,
      sections: [
        { title: 'Differences by kind', rows: this.byCount().map(([kind, g]) => ({ difference: kind, count: g.count, example: examples(g) })) },
        { title: 'First differences', rows: this.rows },
        ...extraSections,
      ],
    };
  }
}

/** The first accounts of a kind, and how many differences are not shown. */
function examples(tally: KindTally): string {
  const rest = tally.count - tally.examples.length;
  return `${tally.examples.join(', ')}${rest > 0 ? ` (+${rest.toLocaleString('en-US')} more)` : ''}`;
}
