import { sql, ident, keyword, join, type Fragment } from '../sql/fragment.js';
import type { Strategy } from './rules.js';
import { FAKE_VALUES_PER_KIND, fakeTableName, type FakeKind } from './fake-values.js';

/** What a keyed hash is for; each purpose has its own key, so equal values in different roles do not correlate. */
export const HASH_PURPOSES = ['email', 'phone', 'first-name', 'last-name', 'full-name', 'street', 'card-pan', 'keyed-hash', 'free-text'] as const;
export type HashPurpose = (typeof HASH_PURPOSES)[number];

/** Masked card numbers start with this test BIN; the PII proof knows they are not live cards. */
export const TEST_PAN_PREFIX = '400000';
/** Characters dropped before hashing a phone number, so (212) 555-7788 and 212.555.7788 mask alike. */
export const PHONE_SEPARATORS = [' ', '-', '(', ')', '.', '+', '/'] as const;
export const CARD_SEPARATORS = [' ', '-'] as const;
/** Luhn doubling of a digit d, as a string indexed by d: 2d, minus 9 when that is above 9. */
const LUHN_DOUBLED = '0246813579';

/**
 * The few expressions that differ between engines. Everything else in a masking expression is
 * built once, below, for both; the keyed hash yields an integer in [0, 2^52) on both.
 */
export interface MaskSqlOps {
  hash(purpose: HashPurpose, text: Fragment): Fragment;
  concat(parts: readonly Fragment[]): Fragment;
  /** Lower case, surrounding spaces removed. */
  normalizeEmail(text: Fragment): Fragment;
  /** Lower-case hexadecimal, zero-padded to exactly `digits` characters. */
  hex(value: Fragment, digits: number): Fragment;
  /** Decimal, zero-padded to exactly `digits` characters. */
  padded(value: Fragment, digits: number): Fragment;
  right(text: Fragment, length: number): Fragment;
  /** The character at 1-based `position` of a one-character lookup string, as an integer. */
  digitAt(text: Fragment, position: Fragment): Fragment;
  isFourDigits(text: Fragment): Fragment;
  /** Hex digits 0-9 spelled as the letters g-p, so a hash never reads as a (Luhn-valid) number. */
  digitsToLetters(text: Fragment): Fragment;
  freeText(column: Fragment, ops: MaskSqlOps): Fragment;
}

const n = (value: number): Fragment => sql`${keyword(String(value))}`;

function removeAll(text: Fragment, characters: readonly string[]): Fragment {
  return characters.reduce((inner, c) => sql`REPLACE(${inner}, ${keyword(`'${c}'`)}, '')`, text);
}

function lookup(kind: FakeKind, index: Fragment): Fragment {
  return sql`(SELECT ${ident('value')} FROM ${ident(fakeTableName(kind))} WHERE ${ident('idx')} = ${index})`;
}

/** The engine's masking expressions and the domain masked e-mails get; rules of constants and nulls need neither. */
export interface MaskingSql {
  readonly ops: MaskSqlOps;
  readonly safeDomain: string;
}

/** The masking expression for one column: set-based SQL, user values only as parameters. */
export function maskExpression(strategy: Strategy, column: string, masking?: MaskingSql): Fragment {
  const value = sql`${ident(column)}`;
  if (strategy.kind === 'null') return sql`NULL`;
  if (strategy.kind === 'constant') return sql`${strategy.value}`;
  if (strategy.kind === 'keep') return value;
  if (masking === undefined) throw new Error(`strategy ${strategy.kind} for column ${column} needs the run's masking expressions`);
  // SQLite's printf reads NULL as 0; a missing value must stay missing, not become a fake one
  return sql`CASE WHEN ${value} IS NULL THEN NULL ELSE ${maskedValue(strategy.kind, value, masking)} END`;
}

function maskedValue(kind: Exclude<Strategy['kind'], 'null' | 'constant' | 'keep'>, value: Fragment, { ops, safeDomain }: MaskingSql): Fragment {
  const slot = (h: Fragment): Fragment => sql`${h} % ${n(FAKE_VALUES_PER_KIND)}`;
  const upper = (h: Fragment): Fragment => sql`(${h} / ${n(FAKE_VALUES_PER_KIND)}) % ${n(FAKE_VALUES_PER_KIND)}`;
  switch (kind) {
    case 'email': {
      const normalized = ops.normalizeEmail(value);
      return ops.concat([
        lookup('email_locals', slot(ops.hash('email', normalized))),
        sql`'.'`,
        ops.hex(sql`${ops.hash('email', normalized)} / ${n(FAKE_VALUES_PER_KIND)}`, 10),
        sql`'@'`,
        sql`${safeDomain}`,
      ]);
    }
    case 'phone':
      return ops.concat([sql`'+1 555 01'`, ops.padded(sql`${ops.hash('phone', removeAll(value, PHONE_SEPARATORS))} % 100`, 2)]);
    case 'first-name':
      return lookup('first_names', slot(ops.hash('first-name', value)));
    case 'last-name':
      return lookup('last_names', slot(ops.hash('last-name', value)));
    case 'full-name':
      return ops.concat([lookup('first_names', slot(ops.hash('full-name', value))), sql`' '`, lookup('last_names', upper(ops.hash('full-name', value)))]);
    case 'street-address':
      return lookup('streets', slot(ops.hash('street', value)));
    case 'keyed-hash':
      return ops.digitsToLetters(ops.hex(ops.hash('keyed-hash', value), 13));
    case 'card-pan':
      return testPan(value, ops);
    case 'free-text':
      return ops.freeText(value, ops);
  }
}

/**
 * A Luhn-valid test card number: the test BIN, five digits from the keyed hash, the check digit,
 * then the card's own last four (kept so support staff can still match a customer's card).
 */
function testPan(value: Fragment, ops: MaskSqlOps): Fragment {
  const x = ident('x');
  const m = sql`${x}.${ident('m')}`;
  const last4 = sql`${x}.${ident('l4')}`;
  const digitOfMiddle = (power: number): Fragment => sql`(${m} / ${n(10 ** power)}) % 10`;
  const doubled = (digit: Fragment): Fragment => ops.digitAt(sql`${keyword(`'${LUHN_DOUBLED}'`)}`, sql`${digit} + 1`);
  const lastDigit = (position: number): Fragment => ops.digitAt(last4, n(position));
  // Luhn weights from the right: the check digit sits fifth from the right, so the last four's
  // first and third digits and the middle's 1st, 3rd and 5th are doubled; the BIN adds 8.
  const sum = join(
    [
      n(8),
      doubled(digitOfMiddle(4)),
      digitOfMiddle(3),
      doubled(digitOfMiddle(2)),
      digitOfMiddle(1),
      doubled(digitOfMiddle(0)),
      doubled(lastDigit(1)),
      lastDigit(2),
      doubled(lastDigit(3)),
      lastDigit(4),
    ],
    ' + ',
  );
  const d = sql`${ident('n')}.${ident('d')}`;
  const right4 = ops.right(ops.concat([sql`'0000'`, d]), 4);
  const inner = sql`SELECT ${removeAll(value, CARD_SEPARATORS)} AS ${ident('d')}`;
  const middle = sql`SELECT ${ops.hash('card-pan', d)} % 100000 AS ${ident('m')}, CASE WHEN ${ops.isFourDigits(right4)} THEN ${right4} ELSE '0000' END AS ${ident('l4')} FROM (${inner}) AS ${ident('n')}`;
  const pan = ops.concat([sql`${keyword(`'${TEST_PAN_PREFIX}'`)}`, ops.padded(m, 5), ops.padded(sql`(10 - (${sum}) % 10) % 10`, 1), last4]);
  return sql`(SELECT ${pan} FROM (${middle}) AS ${x})`;
}

/**
 * SQLite: the keyed hash and the free-text scrubber are functions registered on the connection,
 * one hash function per purpose: a purpose argument would be converted to a JavaScript string
 * on every call, which cost about a tenth of the masking.
 */
export function sqliteHashFunction(purpose: HashPurpose): string {
  return `rehearsal_keyed_hash_${purpose.replaceAll('-', '_')}`;
}
export const SQLITE_SCRUB_FUNCTION = 'rehearsal_scrub_text';

export const sqliteMaskOps: MaskSqlOps = {
  hash: (purpose, text) => sql`${ident(sqliteHashFunction(purpose))}(${text})`,
  concat: (parts) => sql`(${join(parts, ' || ')})`,
  normalizeEmail: (text) => sql`lower(trim(${text}))`,
  hex: (value, digits) => sql`printf(${keyword(`'%0${digits}x'`)}, ${value})`,
  padded: (value, digits) => sql`printf(${keyword(`'%0${digits}d'`)}, ${value})`,
  right: (text, length) => sql`substr(${text}, ${n(-length)})`,
  digitAt: (text, position) => sql`(unicode(substr(${text}, ${position}, 1)) - 48)`,
  isFourDigits: (text) => sql`${text} GLOB '[0-9][0-9][0-9][0-9]'`,
  digitsToLetters: (text) => [...'0123456789'].reduce((inner, digit, i) => sql`replace(${inner}, ${keyword(`'${digit}'`)}, ${keyword(`'${String.fromCharCode(103 + i)}'`)})`, text),
  // Only values with an @ or a digit can hold an e-mail, card or phone number; the rest stay in SQL.
  freeText: (column) => sql`CASE WHEN ${column} GLOB '*[@0-9]*' THEN ${ident(SQLITE_SCRUB_FUNCTION)}(${column}) ELSE ${column} END`,
};

/**
 * T-SQL: the keyed hash is SHA-256 over the purpose's key (a parameter) and the value's
 * UTF-16 bytes, cut to 52 bits. T-SQL has no regular expressions, so free text cannot be
 * scrubbed in place: a value that contains an @ or a run of four digits is replaced whole by
 * a keyed placeholder, and the PII proof (which does use regular expressions) catches anything
 * this misses, such as a card number written with a separator after every digit.
 */
export function tsqlMaskOps(keys: Readonly<Record<HashPurpose, Buffer>>): MaskSqlOps {
  return {
      hash: (purpose, text) =>
      sql`(CAST(SUBSTRING(HASHBYTES('SHA2_256', ${keys[purpose]} + CAST(CAST(${text} AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16)`,
    concat: (parts) => sql`(${join(parts, ' + ')})`,
    normalizeEmail: (text) => sql`LOWER(LTRIM(RTRIM(${text})))`,
    hex: (value, digits) => sql`LOWER(RIGHT(CONVERT(VARCHAR(16), CAST(${value} AS BINARY(8)), 2), ${n(digits)}))`,
    padded: (value, digits) => sql`RIGHT(REPLICATE('0', ${n(digits)}) + CAST(${value} AS VARCHAR(20)), ${n(digits)})`,
    right: (text, length) => sql`RIGHT(${text}, ${n(length)})`,
    digitAt: (text, position) => sql`(UNICODE(SUBSTRING(${text}, ${position}, 1)) - 48)`,
    isFourDigits: (text) => sql`${text} LIKE '[0-9][0-9][0-9][0-9]'`,
    digitsToLetters: (text) => sql`TRANSLATE(${text}, '0123456789', 'ghijklmnop')`,
    freeText: (column, ops) =>
      sql`CASE WHEN ${column} LIKE '%@%' OR ${column} LIKE '%[0-9][0-9][0-9][0-9]%' THEN ${ops.concat([sql`'[scrubbed '`, ops.digitsToLetters(ops.hex(ops.hash('free-text', column), 13)), sql`']'`])} ELSE ${column} END`,
  };
}
