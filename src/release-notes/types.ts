import type { ConceptName } from '../platform/concepts.js';

/**
 * Release notes as the plan states them: each item says what the release changes on purpose, and
 * optionally which accounts may therefore differ from production, where, and by how much.
 */
export interface ReleaseNote {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  /** Who confirms the feature by hand: a checklist item "to confirm". */
  readonly signOff?: string;
  readonly expect?: ReleaseNoteExpectation;
}

export interface ReleaseNoteExpectation {
  readonly accounts: AccountSelector;
  readonly differences: readonly ExpectedDifference[];
}

/** Which accounts an item may change: a trait of the account picker, a profile concept's column, or a list. */
export type AccountSelector =
  | { readonly kind: 'trait'; readonly trait: string }
  | { readonly kind: 'profile'; readonly concept: ConceptName; readonly column: string; readonly equals: string }
  | { readonly kind: 'list'; readonly accounts: readonly string[] };

/**
 * How a value may change, rehearsal against production. Bounds are in the unit the difference is
 * reported in: currency units for production-diff fields and outbound amounts, the stored value
 * for a state column. `sameAs` names another field (or column of the same table) whose change
 * this one must equal exactly, for the same account (or row).
 */
export interface ChangeRule {
  readonly direction?: 'increase' | 'decrease';
  readonly maxAbsolute?: number;
  readonly maxRelative?: number;
  readonly sameAs?: string;
}

/** Added or deleted rows an item explains: `replaced` (one for one per account, the default), `added` or `removed`. */
export type RowFate = 'replaced' | 'added' | 'removed';

export const OUTBOUND_KINDS = {
  mail: ['not mailed', 'mailed, production did not', 'message count differs', 'recipient differs', 'subject differs'],
  payments: ['not charged', 'charged, production did not', 'processor differs', 'amount differs', 'currency differs'],
} as const;
export type OutboundCheck = keyof typeof OUTBOUND_KINDS;

/** Where the item expects differences; `at` is the entry's index in the plan, for messages. */
export type ExpectedDifference = { readonly at: number } & (
  | { readonly kind: 'field'; readonly field: string; readonly change: ChangeRule }
  | { readonly kind: 'column'; readonly table: string; readonly column: string; readonly change: ChangeRule }
  | { readonly kind: 'rows'; readonly table: string; readonly where: Readonly<Record<string, readonly string[]>>; readonly fate: RowFate }
  | { readonly kind: 'outbound'; readonly check: OutboundCheck; readonly kinds: readonly string[]; readonly change: ChangeRule }
);

/** How the plan file writes one expected difference (exactly one of field, column, rows, outbound). */
export interface ExpectedDifferenceFile {
  field?: string;
  column?: string;
  rows?: string;
  outbound?: string;
  kinds?: string[];
  where?: Record<string, string | string[]>;
  fate?: RowFate;
  direction?: 'increase' | 'decrease';
  maxAbsolute?: number;
  maxRelative?: number;
  sameAs?: string;
}

export interface ReleaseNoteFile {
  id: string;
  title: string;
  link: string;
  signOff?: string;
  expect?: {
    accounts: { trait?: string; concept?: string; column?: string; equals?: string; list?: string[] };
    differ: ExpectedDifferenceFile[];
  };
}
