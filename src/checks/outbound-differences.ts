import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult, type EvidenceSection } from './types.js';

export type EvidenceRow = Record<string, string | number | boolean | null>;

/** Says whether a difference is explained (by a release note): explained ones are not logged. */
export type ExplainOutbound = (account: string | undefined, kind: string, row: EvidenceRow) => boolean;

/**
 * Collects the differences one outbound check finds: every affected account counted, the first
 * accounts and rows kept for the report, and a count per kind of difference ("not mailed").
 */
export class DifferenceLog {
  private readonly accounts = new Set<string>();
  private readonly rows: EvidenceRow[] = [];
  private readonly kinds = new Map<string, { count: number; example: string }>();

  constructor(private readonly explain?: ExplainOutbound) {}

  add(account: string | undefined, kind: string, row: EvidenceRow): void {
    if (this.explain?.(account, kind, row) === true) return;
    const name = account ?? '—';
    this.accounts.add(name);
    const group = this.kinds.get(kind);
    if (group === undefined) this.kinds.set(kind, { count: 1, example: name });
    else group.count++;
    if (this.rows.length < MAX_EVIDENCE_ROWS) this.rows.push({ account: name, difference: kind, ...row });
  }

  get size(): number {
    return this.kinds.size === 0 ? 0 : [...this.kinds.values()].reduce((n, k) => n + k.count, 0);
  }

  /** "12 not mailed, 3 recipient differs", most frequent first. */
  describe(): string {
    return this.byCount().map(([kind, g]) => `${g.count} ${kind}`).join(', ');
  }

  private byCount(): [string, { count: number; example: string }][] {
    return [...this.kinds.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  }

  /** The check's result: failed with the affected accounts when anything differs, else `passed` with `passedSummary`. */
  result(base: { id: string; title: string }, passedSummary: string, evidence: readonly EvidenceRow[], extraSections: readonly EvidenceSection[] = []): CheckResult {
    if (this.size === 0) return { ...base, status: 'passed', summary: passedSummary, evidence, ...(extraSections.length > 0 ? { sections: extraSections } : {}) };
    const affected = [...this.accounts].filter((a) => a !== '—');
    return {
      ...base,
      status: 'failed',
      summary: `${this.accounts.size} account(s) differ: ${this.describe()}`,
      affectedAccounts: affected.slice(0, MAX_LISTED_ACCOUNTS),
      affectedCount: affected.length,
      evidence,
      sections: [
        { title: 'Differences by kind', rows: this.byCount().map(([kind, g]) => ({ difference: kind, count: g.count, example: g.example })) },
        { title: 'First differences', rows: this.rows },
        ...extraSections,
      ],
    };
  }
}
