import type { CellValue, RowDifference } from '../differential/differences.js';
import { breaksRule, changeOf, hasBounds, type Compared } from './change.js';
import type { ChangeRule, ExpectedDifference, OutboundCheck, ReleaseNote } from './types.js';

/** One production-diff field of one account, values in cents (or minutes) where they are numbers. */
export interface FieldDifference {
  readonly field: string;
  readonly rehearsal: string;
  readonly production: string;
  readonly values?: { readonly rehearsal: number | null; readonly production: number | null };
}

export interface Example {
  readonly check: string;
  readonly account: string;
  readonly what: string;
  readonly production: string;
  readonly rehearsal: string;
  /** Beyond the note's bound: why. */
  readonly why?: string;
}

/** What one release note explained, across every check that asked. */
export interface ItemTally {
  readonly accounts: Set<string>;
  readonly byCheck: Map<string, { differences: number; accounts: Set<string> }>;
  differences: number;
  beyondBound: number;
  readonly examples: Example[];
  readonly beyondExamples: Example[];
}

export const MAX_EXAMPLES = 5;
/** Accounts counted per item and check: beyond it the count says "at least". */
export const MAX_COUNTED_ACCOUNTS = 100_000;

/** Values shown only where they cannot be personal data a rule set missed (as the state differential shows them). */
export function shownValue(value: Compared): string {
  if (value === null || value === undefined) return 'NULL';
  const text = String(value);
  if (/@|\d(?:[ .\-/]?\d){8,}/.test(text.replace(/\d{4}-\d\d-\d\d/g, ''))) return '(withheld: may be personal data)';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Verdict = { explainedBy: string } | { beyond: string; why: string } | undefined;

/**
 * Labels differences the checks found as explained by a release note, or leaves them failures.
 * A difference is explained only when an item names its account (by the item's account set), its
 * place (field, table.column, table rows, outbound kind) and the change keeps to the item's
 * bounds; anything else stays with its check. It is a separate pass over the differences the
 * checks produce: the checks only ask it, per difference, and keep what it does not explain.
 */
export class ReleaseNoteLabeller {
  readonly tallies = new Map<string, ItemTally>();
  private readonly pendingRows = new Map<string, { item: string; check: string; account: string; rehearsal: RowDifference[]; production: RowDifference[] }>();

  constructor(
    readonly notes: readonly ReleaseNote[],
    /** Per item id, the accounts its `expect.accounts` selects. */
    private readonly accounts: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    for (const note of notes) this.tallies.set(note.id, { accounts: new Set(), byCheck: new Map(), differences: 0, beyondBound: 0, examples: [], beyondExamples: [] });
  }

  /** Production-diff (or a picked account): each field difference explained, or kept. */
  accountFields<D extends FieldDifference>(check: string, account: string, differences: readonly D[]): { unexplained: D[]; explained: { difference: D; by: string }[] } {
    const unexplained: D[] = [];
    const explained: { difference: D; by: string }[] = [];
    const changeOfField = (field: string): number | undefined => {
      const d = differences.find((x) => x.field === field);
      if (d === undefined) return 0;
      return d.values === undefined ? undefined : changeOf(d.values.rehearsal, d.values.production, true);
    };
    for (const d of differences) {
      const verdict = this.judge(account, (e) => (e.kind === 'field' && e.field === d.field ? e.change : undefined), (rule) =>
        breaksRule(rule, d.values?.rehearsal, d.values?.production, { unit: d.field === 'pool minutes used' ? 1 : 100, nullIsZero: true, ...(rule.sameAs !== undefined ? { sameAs: changeOfField(rule.sameAs) ?? Number.NaN } : {}) }),
      );
      const example = { check, account, what: d.field, production: shownValue(d.production), rehearsal: shownValue(d.rehearsal) };
      if (this.record(verdict, check, account, example)) explained.push({ difference: d, by: (verdict as { explainedBy: string }).explainedBy });
      else unexplained.push(d);
    }
    return { unexplained, explained };
  }

  /**
   * A state differential row: the columns no item explains (undefined when none is left). Rows
   * added or removed are held until `finishRows`, because a `replaced` rule explains them only
   * one for one per account.
   */
  stateRow(check: string, d: RowDifference): RowDifference | undefined {
    const account = d.account;
    if (account === undefined) return d;
    if (d.kind === 'changed') {
      const columns = d.columns.filter((c) => {
        const verdict = this.judge(account, (e) => (e.kind === 'column' && e.table === d.table && e.column === c.column ? e.change : undefined), (rule) => {
          const tied = rule.sameAs === undefined ? undefined : d.columns.find((o) => `${d.table}.${o.column}` === rule.sameAs);
          return breaksRule(rule, c.rehearsal, c.production, { unit: 1, nullIsZero: false, ...(rule.sameAs !== undefined ? { sameAs: tied === undefined ? 0 : (changeOf(tied.rehearsal, tied.production, false) ?? Number.NaN) } : {}) });
        });
        return !this.record(verdict, check, account, { check, account, what: `${d.table}.${c.column}`, production: shownValue(c.production), rehearsal: shownValue(c.rehearsal) });
      });
      return columns.length === 0 ? undefined : { ...d, columns };
    }
    const side = d.kind === 'only-in-rehearsal' || d.kind === 'deleted-only-in-production' ? 'rehearsal' : 'production';
    const added = d.kind === 'only-in-rehearsal' || d.kind === 'only-in-production';
    for (const note of this.notes) {
      if (!this.covers(note, account)) continue;
      const rule = note.expect?.differences.find((e) => e.kind === 'rows' && e.table === d.table && rowMatches(e, d, added) && fateAllows(e.fate, d.kind));
      if (rule === undefined || rule.kind !== 'rows') continue;
      if (rule.fate !== 'replaced') {
        this.count(note.id, check, account, d.count, { check, account, what: `${d.table} rows ${d.kind.replaceAll('-', ' ')}`, production: '—', rehearsal: shownValue(d.row) });
        return undefined;
      }
      const key = `${note.id}\u0000${check}\u0000${d.table}\u0000${account}`;
      let pending = this.pendingRows.get(key);
      if (pending === undefined) {
        pending = { item: note.id, check, account, rehearsal: [], production: [] };
        this.pendingRows.set(key, pending);
      }
      pending[side].push(d);
      return undefined;
    }
    return d;
  }

  /** Rows held for `replaced` rules: explained where each account lost as many rows as it gained, else given back as failures. */
  finishRows(check: string): RowDifference[] {
    const back: RowDifference[] = [];
    for (const [key, pending] of this.pendingRows) {
      if (pending.check !== check) continue;
      this.pendingRows.delete(key);
      const sum = (rows: readonly RowDifference[]): number => rows.reduce((n, r) => n + r.count, 0);
      const first = pending.rehearsal[0] ?? pending.production[0];
      if (sum(pending.rehearsal) === sum(pending.production) && first !== undefined) {
        this.count(pending.item, check, pending.account, sum(pending.rehearsal) * 2, {
          check,
          account: pending.account,
          what: `${first.table} rows replaced`,
          production: shownValue(pending.production[0]?.row ?? null),
          rehearsal: shownValue(pending.rehearsal[0]?.row ?? null),
        });
      } else {
        back.push(...pending.rehearsal, ...pending.production);
        this.beyond(pending.item, { check, account: pending.account, what: `${first?.table ?? ''} rows`, production: String(sum(pending.production)), rehearsal: String(sum(pending.rehearsal)), why: 'rows were not replaced one for one' });
      }
    }
    return back;
  }

  /** An outbound difference (mail, payments): explained or not. */
  outbound(check: OutboundCheck, account: string | undefined, kind: string, row: Readonly<Record<string, string | number | boolean | null>>): boolean {
    if (account === undefined) return false;
    const cents = (v: unknown): number | null => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Math.round(Number(v) * 100) : null);
    const verdict = this.judge(account, (e) => (e.kind === 'outbound' && e.check === check && e.kinds.includes(kind) ? e.change : undefined), (rule) => breaksRule(rule, cents(row.rehearsal), cents(row.production), { unit: 100, nullIsZero: false }));
    return this.record(verdict, `outbound-${check}`, account, { check: `outbound-${check}`, account, what: kind, production: shownValue(row.production as Compared), rehearsal: shownValue(row.rehearsal as Compared) });
  }

  private covers(note: ReleaseNote, account: string): boolean {
    return note.expect !== undefined && (this.accounts.get(note.id)?.has(account) ?? false);
  }

  /** The first item that names the account and the place and whose bounds hold; else the first that names both (beyond its bound). */
  private judge(account: string, ruleFor: (e: ExpectedDifference) => ChangeRule | undefined, breaks: (rule: ChangeRule) => string | undefined): Verdict {
    let beyond: { beyond: string; why: string } | undefined;
    for (const note of this.notes) {
      if (!this.covers(note, account)) continue;
      for (const expected of note.expect?.differences ?? []) {
        const rule = ruleFor(expected);
        if (rule === undefined) continue;
        const why = breaks(rule);
        if (why === undefined) return { explainedBy: note.id };
        beyond ??= { beyond: note.id, why: hasBounds(rule) ? why : 'not as expected' };
      }
    }
    return beyond;
  }

  /** Tallies the verdict; true when the difference is explained. */
  private record(verdict: Verdict, check: string, account: string, example: Example): boolean {
    if (verdict === undefined) return false;
    if ('explainedBy' in verdict) {
      this.count(verdict.explainedBy, check, account, 1, example);
      return true;
    }
    this.beyond(verdict.beyond, { ...example, why: verdict.why });
    return false;
  }

  private count(item: string, check: string, account: string, differences: number, example: Example): void {
    const tally = this.tallies.get(item);
    if (tally === undefined) return;
    tally.differences += differences;
    if (tally.accounts.size < MAX_COUNTED_ACCOUNTS) tally.accounts.add(account);
    let perCheck = tally.byCheck.get(check);
    if (perCheck === undefined) {
      perCheck = { differences: 0, accounts: new Set() };
      tally.byCheck.set(check, perCheck);
    }
    perCheck.differences += differences;
    if (perCheck.accounts.size < MAX_COUNTED_ACCOUNTS) perCheck.accounts.add(account);
    if (tally.examples.length < MAX_EXAMPLES && !tally.examples.some((e) => e.account === account && e.check === check)) tally.examples.push(example);
  }

  private beyond(item: string, example: Example): void {
    const tally = this.tallies.get(item);
    if (tally === undefined) return;
    tally.beyondBound++;
    if (tally.beyondExamples.length < MAX_EXAMPLES) tally.beyondExamples.push(example);
  }
}

function fateAllows(fate: 'replaced' | 'added' | 'removed', kind: RowDifference['kind']): boolean {
  if (fate === 'replaced') return kind === 'only-in-rehearsal' || kind === 'only-in-production';
  if (fate === 'added') return kind === 'only-in-rehearsal' || kind === 'deleted-only-in-production';
  return kind === 'only-in-production' || kind === 'deleted-only-in-rehearsal';
}

/** Every `where` column has one of its values in the row's content (rows without content match no `where`). */
function rowMatches(rule: Extract<ExpectedDifference, { kind: 'rows' }>, d: RowDifference, added: boolean): boolean {
  const conditions = Object.entries(rule.where);
  if (conditions.length === 0) return true;
  if (!added || d.content === undefined) return false;
  return conditions.every(([column, values]) => {
    const cell: CellValue | undefined = d.content?.find((c) => c.column === column)?.value;
    return cell !== undefined && cell !== null && values.includes(String(cell));
  });
}
