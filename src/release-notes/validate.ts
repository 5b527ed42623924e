import type { LocatedYaml, YamlPath } from '../config/validated-yaml.js';
import type { ConfigError } from '../errors.js';
import { conceptDefinition, isConceptName, CONCEPT_NAMES } from '../platform/concepts.js';
import { OUTBOUND_KINDS, type AccountSelector, type ChangeRule, type ExpectedDifference, type ExpectedDifferenceFile, type OutboundCheck, type ReleaseNote, type ReleaseNoteFile } from './types.js';

/** The production-diff fields an item may name; `charges: <kind>` for any kind of charge. */
export const PRODUCTION_DIFF_FIELDS = ['invoice total', 'taxes', 'balance before payments', 'next bill dates', 'pool minutes used'] as const;
const CHARGES_FIELD = /^charges: \S.*$/;

/** The account picker's features (src/checks/account-picker.ts), as a trait may name them. */
const TRAIT_WORDS = ['pool owner', 'pool member', 'parent account', 'child account', 'expired card', 'cancelled account'];
const TRAIT_PREFIXES = ['billing period ', 'price plan ', 'discount ', 'pays by '];

export function isKnownTrait(trait: string): boolean {
  return TRAIT_WORDS.includes(trait) || TRAIT_PREFIXES.some((p) => trait.startsWith(p) && trait.length > p.length);
}

/** Parameters the product can bind when it reads a concept for release notes. */
const BINDABLE = new Set(['billDate', 'billMonth']);

type Located = Pick<LocatedYaml<unknown>, 'errorAt' | 'locate'>;

/**
 * The plan's `releaseNotes` as typed items; every problem (duplicate id, unknown field, trait or
 * concept, a bound where none applies, a `sameAs` naming nothing) is added to `errors` with its
 * place in the plan. Tables and columns are checked against the snapshot's schema in pre-flight.
 */
export function releaseNotesFromPlan(located: Located, notes: readonly ReleaseNoteFile[], errors: ConfigError[]): ReleaseNote[] {
  const firstLine = new Map<string, number>();
  return notes.map((note, i) => {
    const at = (...rest: (string | number)[]): YamlPath => ['releaseNotes', i, ...rest];
    const seen = firstLine.get(note.id);
    if (seen !== undefined) errors.push(located.errorAt(at('id'), `release-note id ${note.id} is already used at line ${seen}; give each item its own id`));
    else firstLine.set(note.id, located.locate(at()).line);
    const expect = note.expect === undefined ? undefined : { accounts: selector(located, note.expect.accounts, at('expect', 'accounts'), errors), differences: differences(located, note.expect.differ, at('expect', 'differ'), errors) };
    return { id: note.id, title: note.title, link: note.link, ...(note.signOff !== undefined ? { signOff: note.signOff } : {}), ...(expect !== undefined ? { expect } : {}) };
  });
}

function selector(located: Located, given: NonNullable<ReleaseNoteFile['expect']>['accounts'], at: YamlPath, errors: ConfigError[]): AccountSelector {
  const kinds = [given.trait !== undefined, given.concept !== undefined, given.list !== undefined].filter(Boolean).length;
  if (kinds !== 1) {
    errors.push(located.errorAt(at, 'say which accounts may differ with one of `trait` (an account picker feature), `concept` with `column` and `equals` (a profile query), or `list` (account numbers)'));
    return { kind: 'list', accounts: [] };
  }
  if (given.trait !== undefined) {
    if (!isKnownTrait(given.trait)) {
      errors.push(located.errorAt([...at, 'trait'], `\`${given.trait}\` is not an account picker feature: use one of ${TRAIT_WORDS.join(', ')}, or ${TRAIT_PREFIXES.map((p) => `\`${p}<name>\``).join(', ')} (as the report's account-picker table lists them)`));
    }
    return { kind: 'trait', trait: given.trait };
  }
  if (given.list !== undefined) return { kind: 'list', accounts: given.list };
  const concept = given.concept ?? '';
  if (!isConceptName(concept)) {
    errors.push(located.errorAt([...at, 'concept'], `\`${concept}\` is not a profile concept; concepts with account numbers: ${CONCEPT_NAMES.filter((c) => 'account_number' in conceptDefinition(c).columns).join(', ')}`));
    return { kind: 'list', accounts: [] };
  }
  const definition = conceptDefinition(concept);
  if (!('account_number' in definition.columns) || definition.parameters.some((p) => !BINDABLE.has(p))) {
    errors.push(located.errorAt([...at, 'concept'], `concept \`${concept}\` does not list accounts by \`account_number\` for the bill date, so it cannot say which accounts may differ`));
  }
  const column = given.column ?? '';
  if (given.column === undefined || given.equals === undefined) errors.push(located.errorAt(at, 'with `concept`, give `column` and `equals`: the accounts whose row has that value'));
  else if (!(column in definition.columns)) errors.push(located.errorAt([...at, 'column'], `concept \`${concept}\` has no column \`${column}\`; its columns: ${Object.keys(definition.columns).join(', ')}`));
  return { kind: 'profile', concept, column, equals: given.equals ?? '' };
}

function differences(located: Located, given: readonly ExpectedDifferenceFile[], at: YamlPath, errors: ConfigError[]): ExpectedDifference[] {
  const out: ExpectedDifference[] = [];
  const named = new Map<string, number>();
  given.forEach((entry, j) => {
    const here = (...rest: string[]): YamlPath => [...at, j, ...rest];
    const targets = (['field', 'column', 'rows', 'outbound'] as const).filter((k) => entry[k] !== undefined);
    if (targets.length !== 1) {
      errors.push(located.errorAt(here(), 'an expected difference names one of `field` (production-diff), `column` (table.column of the state differential), `rows` (a table whose rows are added or removed) or `outbound` (mail or payments)'));
      return;
    }
    const target = targets[0] as 'field' | 'column' | 'rows' | 'outbound';
    const misplaced = (keys: readonly (keyof ExpectedDifferenceFile)[], why: string): void => {
      for (const key of keys) if (entry[key] !== undefined) errors.push(located.errorAt(here(key), `\`${key}\` ${why}`));
    };
    const change: ChangeRule = {
      ...(entry.direction !== undefined ? { direction: entry.direction } : {}),
      ...(entry.maxAbsolute !== undefined ? { maxAbsolute: entry.maxAbsolute } : {}),
      ...(entry.maxRelative !== undefined ? { maxRelative: entry.maxRelative } : {}),
      ...(entry.sameAs !== undefined ? { sameAs: entry.sameAs } : {}),
    };
    const key = `${target}\u0000${String(entry[target])}\u0000${(entry.kinds ?? []).join(',')}\u0000${JSON.stringify(entry.where ?? {})}`;
    if (named.has(key)) errors.push(located.errorAt(here(target), `\`${String(entry[target])}\` is already expected at line ${named.get(key) ?? 0} of this item; list it once`));
    else named.set(key, located.locate(here(target)).line);
    if (target !== 'rows') misplaced(['where', 'fate'], 'applies to `rows` only');
    if (target !== 'outbound') misplaced(['kinds'], 'applies to `outbound` only');
    if (target === 'field') {
      const field = entry.field ?? '';
      if (!(PRODUCTION_DIFF_FIELDS as readonly string[]).includes(field) && !CHARGES_FIELD.test(field)) {
        errors.push(located.errorAt(here('field'), `\`${field}\` is not a field production-diff compares; fields: ${PRODUCTION_DIFF_FIELDS.join(', ')}, charges: <kind>`));
      }
      out.push({ at: j, kind: 'field', field, change });
    } else if (target === 'column') {
      const [table = '', column = ''] = (entry.column ?? '').split('.');
      out.push({ at: j, kind: 'column', table, column, change: entry.sameAs === undefined || entry.sameAs.includes('.') ? change : { ...change, sameAs: `${table}.${entry.sameAs}` } });
    } else if (target === 'rows') {
      misplaced(['direction', 'maxAbsolute', 'maxRelative', 'sameAs'], 'bounds a value; rows added or removed have no value to bound (bound the columns that carry their amounts instead)');
      const where = Object.fromEntries(Object.entries(entry.where ?? {}).map(([column, value]) => [column, typeof value === 'string' ? [value] : value]));
      out.push({ at: j, kind: 'rows', table: entry.rows ?? '', where, fate: entry.fate ?? 'replaced' });
    } else {
      const check = entry.outbound as OutboundCheck;
      const known: readonly string[] = OUTBOUND_KINDS[check];
      if (entry.kinds === undefined) errors.push(located.errorAt(here(), `\`outbound: ${check}\` needs \`kinds\`: which differences of ${check} it explains (${known.join(', ')})`));
      (entry.kinds ?? []).forEach((kind, k) => {
        if (!known.includes(kind)) errors.push(located.errorAt([...here('kinds'), k], `\`${kind}\` is not a difference outbound-${check} reports; kinds: ${known.join(', ')}`));
      });
      const bounded = entry.direction !== undefined || entry.maxAbsolute !== undefined || entry.maxRelative !== undefined || entry.sameAs !== undefined;
      if (bounded && (check !== 'payments' || (entry.kinds ?? []).some((k) => k !== 'amount differs'))) {
        errors.push(located.errorAt(here('outbound'), 'only `amount differs` of `outbound: payments` has a value to bound; list bounded and unbounded kinds as separate entries'));
      }
      if (entry.sameAs !== undefined) errors.push(located.errorAt(here('sameAs'), '`sameAs` compares fields of one account or columns of one row; outbound amounts take `direction`, `maxAbsolute` or `maxRelative`'));
      out.push({ at: j, kind: 'outbound', check, kinds: entry.kinds ?? [], change });
    }
  });
  for (const d of out) {
    if (d.kind !== 'field' && d.kind !== 'column') continue;
    const sameAs = d.change.sameAs;
    if (sameAs === undefined) continue;
    const found = d.kind === 'field' ? out.some((o) => o.kind === 'field' && o.field === sameAs && o !== d) : out.some((o) => o.kind === 'column' && `${o.table}.${o.column}` === sameAs && o !== d && o.table === d.table);
    if (!found) {
      errors.push(located.errorAt([...at, d.at, 'sameAs'], `\`sameAs: ${sameAs}\` must name another ${d.kind === 'field' ? 'field' : 'column of the same table'} this item expects to differ`));
    }
  }
  return out;
}
