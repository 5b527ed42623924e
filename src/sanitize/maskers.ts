import { createHmac } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';
import type { Strategy } from './rules.js';

/**
 * Deterministic masking: the output depends only on the per-run secret and the input value, so
 * the same e-mail masks the same way in every table (joins and look-ups keep working) while a
 * different secret gives different outputs. Fake values come from faker, seeded by the HMAC,
 * never from real data.
 */
export interface Masker {
  mask(strategy: Strategy, value: unknown): unknown;
}

/** Test BIN used for masked card numbers; the PII proof knows these are not live cards. */
export const TEST_PAN_PREFIX = '400000';
/** Fictional North American numbers (555-0100 to 555-0199) are reserved for fiction; the proof ignores them. */
export const FICTIONAL_PHONE = /\+1 \(?555\)? ?01\d\d/;

export function createMasker(secret: Buffer, safeDomain: string): Masker {
  const faker = new Faker({ locale: [en] });
  const digest = (purpose: string, value: string): Buffer => createHmac('sha256', secret).update(purpose).update('\u0000').update(value).digest();
  const seeded = (purpose: string, value: string): Faker => {
    faker.seed(digest(purpose, value).readUInt32BE(0));
    return faker;
  };
  const emailFor = (value: string): string => {
    const normalized = value.trim().toLowerCase();
    const local = seeded('email', normalized).internet.username().toLowerCase().replace(/[^a-z0-9._-]/g, '');
    return `${local}.${digest('email', normalized).toString('hex').slice(0, 10)}@${safeDomain}`;
  };
  const phoneFor = (value: string): string => {
    const n = digest('phone', value.replace(/\D/g, '')).readUInt16BE(0) % 100;
    return `+1 555 01${String(n).padStart(2, '0')}`;
  };
  const panFor = (value: string): string => {
    const digits = value.replace(/\D/g, '');
    const last4 = digits.slice(-4).padStart(4, '0');
    const middle = String(digest('pan', digits).readUInt32BE(0) % 100000).padStart(5, '0');
    return withLuhnDigit(`${TEST_PAN_PREFIX}${middle}`, last4);
  };
  const scrubText = (value: string): string =>
    value
      .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, (m) => emailFor(m))
      .replace(/\b(?:\d[ -]?){12,18}\d\b/g, (m) => panFor(m))
      .replace(/\+?\d{0,3}[\s.-]?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g, (m) => phoneFor(m));

  return {
    mask(strategy, value) {
      if (strategy.kind === 'constant') return strategy.value;
      if (strategy.kind === 'null') return null;
      if (value === null || value === undefined) return value ?? null;
      if (strategy.kind === 'keep') return value;
      const text = String(value);
      switch (strategy.kind) {
        case 'email':
          return emailFor(text);
        case 'phone':
          return phoneFor(text);
        case 'first-name':
          return seeded('first-name', text).person.firstName();
        case 'last-name':
          return seeded('last-name', text).person.lastName();
        case 'full-name':
          return seeded('full-name', text).person.fullName();
        case 'street-address':
          return seeded('street', text).location.streetAddress();
        case 'free-text':
          return scrubText(text);
        case 'card-pan':
          return panFor(text);
        case 'keyed-hash':
          return lettersOnly(digest('hash', text));
      }
    },
  };
}

/**
 * A keyed hash spelled in letters only: hex would now and then contain a run of 13+ digits that
 * passes the Luhn check and would (rightly) look like a card number to the PII proof.
 */
function lettersOnly(digest: Buffer): string {
  let out = '';
  for (const byte of digest.subarray(0, 24)) out += String.fromCharCode(97 + (byte % 26));
  return out;
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
