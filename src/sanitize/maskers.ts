import { createHmac } from 'node:crypto';
import type { Strategy } from './rules.js';
import { sipHash52, sipKey, type SipKey } from './siphash.js';
import { FAKE_VALUES_PER_KIND, makeFakeValues, type FakeValues } from './fake-values.js';
import { CARD_SEPARATORS, HASH_PURPOSES, PHONE_SEPARATORS, TEST_PAN_PREFIX, type HashPurpose } from './mask-sql.js';

export { TEST_PAN_PREFIX };

/** Fictional North American numbers (555-0100 to 555-0199) are reserved for fiction; the proof ignores them. */
export const FICTIONAL_PHONE = /\+1 \(?555\)? ?01\d\d/;

/**
 * The per-run masking material: a key per hash purpose and the fake-value lists, all derived
 * from the run's secret. The SQL path (mask-sql.ts) and `Masker` below use the same material
 * and give the same output for the same value.
 */
export interface MaskingKeys {
  readonly secretKeys: Readonly<Record<HashPurpose, Buffer>>;
  readonly fakeValues: FakeValues;
}

export function deriveMaskingKeys(secret: Buffer): MaskingKeys {
  const secretKeys = Object.fromEntries(
    HASH_PURPOSES.map((purpose) => [purpose, purposeKey(secret, purpose)]),
  ) as Record<HashPurpose, Buffer>;
  return { secretKeys, fakeValues: makeFakeValues(secret) };
}

function purposeKey(secret: Buffer, purpose: HashPurpose): Buffer {
  return createHmac('sha256', secret).update(`rehearsal mask key ${purpose}`).digest();
}

/** The `keyed-hash` strategy's output: the 52-bit hash as 13 letters. */
function lettersOf(h: number): string {
  return h.toString(16).padStart(13, '0').replace(/\d/g, (d) => String.fromCharCode(103 + Number(d)));
}

/**
 * Masks text exactly as the `keyed-hash` strategy does with this secret, without building the
 * fake-value lists: for names a report shows (staff users).
 */
export function keyedHashMask(secret: Buffer): (text: string) => string {
  const key = sipKey(purposeKey(secret, 'keyed-hash'));
  return (text) => lettersOf(sipHash52(key, text));
}

/**
 * Masks one value in JavaScript exactly as the SQLite SQL does: the free-text scrubber uses it
 * for what it finds inside text (so an e-mail in a note masks like the same e-mail in
 * contacts), and the row-by-row benchmark uses it as the per-row alternative.
 */
export interface Masker {
  readonly keys: MaskingKeys;
  /** The keyed hash the SQLite function returns, in [0, 2^52). */
  hash(purpose: HashPurpose, text: string): number;
  mask(strategy: Strategy, value: unknown): unknown;
  scrubText(text: string): string;
}

export function createMasker(secret: Buffer, safeDomain: string): Masker {
  const keys = deriveMaskingKeys(secret);
  const sip = Object.fromEntries(HASH_PURPOSES.map((p) => [p, sipKey(keys.secretKeys[p])])) as Record<HashPurpose, SipKey>;
  const { first_names, last_names, streets, email_locals } = keys.fakeValues;
  const hash = (purpose: HashPurpose, text: string): number => sipHash52(sip[purpose], text);
  const pick = (list: readonly string[], h: number): string => list[h % FAKE_VALUES_PER_KIND] ?? '';
  const upper = (h: number): number => Math.floor(h / FAKE_VALUES_PER_KIND);

  const emailFor = (value: string): string => {
    const h = hash('email', sqliteLower(value.replace(/^ +| +$/g, '')));
    return `${pick(email_locals, h)}.${upper(h).toString(16).padStart(10, '0')}@${safeDomain}`;
  };
  const phoneFor = (value: string): string => `+1 555 01${String(hash('phone', removeAll(value, PHONE_SEPARATORS)) % 100).padStart(2, '0')}`;
  const panFor = (value: string): string => {
    const digits = removeAll(value, CARD_SEPARATORS);
    const right4 = `0000${digits}`.slice(-4);
    const last4 = /^\d{4}$/.test(right4) ? right4 : '0000';
    const middle = String(hash('card-pan', digits) % 100000).padStart(5, '0');
    return withLuhnDigit(`${TEST_PAN_PREFIX}${middle}`, last4);
  };
  const scrubText = (value: string): string =>
    value
      .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, (m) => emailFor(m))
      .replace(/\b(?:\d[ -]?){12,18}\d\b/g, (m) => panFor(m))
      .replace(/(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g, (m) => phoneFor(m));

  return {
    keys,
    hash,
    scrubText,
    mask(strategy, value) {
      if (strategy.kind === 'constant') return strategy.value;
      if (strategy.kind === 'null') return null;
      if (value === null || value === undefined) return null;
      if (strategy.kind === 'keep') return value;
      const text = String(value);
      switch (strategy.kind) {
        case 'email':
          return emailFor(text);
        case 'phone':
          return phoneFor(text);
        case 'first-name':
          return pick(first_names, hash('first-name', text));
        case 'last-name':
          return pick(last_names, hash('last-name', text));
        case 'full-name': {
          const h = hash('full-name', text);
          return `${pick(first_names, h)} ${pick(last_names, upper(h))}`;
        }
        case 'street-address':
          return pick(streets, hash('street', text));
        case 'free-text':
          return scrubText(text);
        case 'card-pan':
          return panFor(text);
        case 'keyed-hash':
          return lettersOf(hash('keyed-hash', text));
      }
    },
  };
}

/** SQLite's lower() changes ASCII letters only. */
function sqliteLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function removeAll(text: string, characters: readonly string[]): string {
  return characters.reduce((inner, c) => inner.replaceAll(c, ''), text);
}

/** Inserts the digit that makes `head + ? + tail` pass the Luhn check, keeping the last four. */
function withLuhnDigit(head: string, tail: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = `${head}${d}${tail}`;
    if (luhnValid(candidate)) return candidate;
  }
  throw new Error('unreachable: one check digit always satisfies Luhn');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}
