import type { CheckResult } from '../checks/types.js';
import type { AccountSets } from './accounts.js';
import type { Example, ReleaseNoteLabeller } from './labeller.js';
import type { ReleaseNote } from './types.js';

/**
 * One release note in the report: `explained` (its expected differences appeared), `not-seen`
 * (they never did: a warning, the feature may not be active), `beyond-bound` (differences it
 * names broke its bounds and stay failures), or `no-expectation` (a note without `expect`).
 */
export interface ReleaseNoteRecord {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly signOff?: string;
  readonly status: 'explained' | 'not-seen' | 'beyond-bound' | 'no-expectation';
  /** Accounts the item's selector matched. */
  readonly accountsInScope?: number;
  /** Accounts with at least one difference this item explained. */
  readonly accountsExplained: number;
  readonly differencesExplained: number;
  readonly byCheck: readonly { readonly check: string; readonly accounts: number; readonly differences: number }[];
  readonly beyondBound: number;
  readonly examples: readonly Example[];
  readonly beyondBoundExamples: readonly Example[];
  /** Why the item could explain nothing (its accounts could not be read). */
  readonly note?: string;
}

export function releaseNoteRecords(notes: readonly ReleaseNote[], labeller: ReleaseNoteLabeller, sets: AccountSets): ReleaseNoteRecord[] {
  return notes.map((note) => {
    const tally = labeller.tallies.get(note.id);
    const base = { id: note.id, title: note.title, link: note.link, ...(note.signOff !== undefined ? { signOff: note.signOff } : {}) };
    if (note.expect === undefined || tally === undefined) {
      return { ...base, status: 'no-expectation' as const, accountsExplained: 0, differencesExplained: 0, byCheck: [], beyondBound: 0, examples: [], beyondBoundExamples: [] };
    }
    const unreadable = sets.unreadable.get(note.id);
    const status = tally.beyondBound > 0 ? 'beyond-bound' : tally.differences > 0 ? 'explained' : 'not-seen';
    return {
      ...base,
      status,
      accountsInScope: sets.sets.get(note.id)?.size ?? 0,
      accountsExplained: tally.accounts.size,
      differencesExplained: tally.differences,
      byCheck: [...tally.byCheck.entries()].map(([check, c]) => ({ check, accounts: c.accounts.size, differences: c.differences })),
      beyondBound: tally.beyondBound,
      examples: tally.examples,
      beyondBoundExamples: tally.beyondExamples,
      ...(unreadable !== undefined ? { note: unreadable } : {}),
    };
  });
}

const ID = 'release-notes';
const TITLE = "The release notes' expected differences appeared, within their bounds";

/**
 * The release notes as a check: failed when a difference an item names broke its bounds (it also
 * stays a failure of its own check), a warning when an item's expected difference never appeared
 * (the feature may not be active), else passed.
 */
export function releaseNotesCheck(records: readonly ReleaseNoteRecord[]): CheckResult | undefined {
  const expecting = records.filter((r) => r.status !== 'no-expectation');
  if (expecting.length === 0) return undefined;
  const beyond = expecting.filter((r) => r.status === 'beyond-bound');
  const unseen = expecting.filter((r) => r.status === 'not-seen');
  const explained = expecting.filter((r) => r.differencesExplained > 0);
  const parts = [
    ...explained.map((r) => `${r.id} explained ${r.differencesExplained.toLocaleString('en-US')} difference(s) in ${r.accountsExplained.toLocaleString('en-US')} account(s)`),
    ...beyond.map((r) => `${r.id}: ${r.beyondBound} difference(s) beyond its bounds stay failures (${r.beyondBoundExamples[0]?.why ?? 'see examples'})`),
    ...unseen.map((r) => `${r.id}: its expected difference never appeared in ${r.accountsInScope ?? 0} account(s) in scope${r.note !== undefined ? ` (${r.note})` : ''}; the feature may not be active`),
  ];
  return {
    id: ID,
    title: TITLE,
    status: beyond.length > 0 ? 'failed' : unseen.length > 0 ? 'warning' : 'passed',
    summary: parts.join('; '),
    evidence: expecting.map((r) => ({ 'release note': r.id, title: r.title, status: r.status, 'accounts in scope': r.accountsInScope ?? 0, 'accounts explained': r.accountsExplained, 'differences explained': r.differencesExplained, 'beyond bounds': r.beyondBound })),
    sections: [
      {
        title: 'Examples (values masked as in the checks)',
        rows: expecting.flatMap((r) => [...r.examples.map((e) => ({ 'release note': r.id, ...e, why: 'explained' })), ...r.beyondBoundExamples.map((e) => ({ 'release note': r.id, ...e, why: `beyond bounds: ${e.why ?? ''}` }))]),
      },
    ],
  };
}

/**
 * Says in each check's summary how many of its differences release notes explained, so a passed
 * check does not read as "no difference at all".
 */
export function annotateExplained(checks: readonly CheckResult[], records: readonly ReleaseNoteRecord[]): CheckResult[] {
  return checks.map((check) => {
    const by = records.flatMap((r) => r.byCheck.filter((c) => c.check === check.id).map((c) => `${c.differences.toLocaleString('en-US')} in ${c.accounts.toLocaleString('en-US')} account(s) by ${r.id}`));
    return by.length === 0 ? check : { ...check, summary: `${check.summary} (explained by release notes: ${by.join(', ')})` };
  });
}

/** Items with `signOff`: each a checklist item to confirm by hand. */
export function releaseNoteChecklist(notes: readonly ReleaseNote[]): { id: string; title: string; checks: string[]; signOff: string }[] {
  return notes.flatMap((n) => (n.signOff === undefined ? [] : [{ id: `release-note.${n.id}`, title: `${n.id}: ${n.title} (${n.link})`, checks: [], signOff: n.signOff }]));
}

const STATUS_TEXT: Record<ReleaseNoteRecord['status'], string> = {
  explained: 'explained',
  'not-seen': 'warning: expected difference never appeared',
  'beyond-bound': 'FAILED: differences beyond its bounds',
  'no-expectation': 'no expected difference',
};

/** The report's release-notes table, one row per item, for the Markdown and HTML renderings. */
export function releaseNoteRows(records: readonly ReleaseNoteRecord[]): Record<string, string | number>[] {
  return records.map((r) => ({
    'release note': r.id,
    title: r.title,
    link: r.link,
    status: STATUS_TEXT[r.status],
    'accounts in scope': r.accountsInScope ?? '—',
    'accounts explained': r.accountsExplained,
    'differences explained': r.differencesExplained,
    'by check': r.byCheck.map((c) => `${c.check} ${c.differences} in ${c.accounts}`).join(', ') || '—',
    'beyond bounds': r.beyondBound,
    'sign-off': r.signOff ?? '—',
  }));
}

/** Examples of what each item explained, and of what broke its bounds. */
export function releaseNoteExampleRows(records: readonly ReleaseNoteRecord[]): Record<string, string>[] {
  return records.flatMap((r) => [
    ...r.examples.map((e) => ({ 'release note': r.id, check: e.check, account: e.account, what: e.what, production: e.production, rehearsal: e.rehearsal, verdict: 'explained' })),
    ...r.beyondBoundExamples.map((e) => ({ 'release note': r.id, check: e.check, account: e.account, what: e.what, production: e.production, rehearsal: e.rehearsal, verdict: `failure: ${e.why ?? 'beyond bounds'}` })),
  ]);
}
