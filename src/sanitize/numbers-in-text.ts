import { TEST_PAN_PREFIX, luhnValid } from './maskers.js';

/**
 * Card and phone numbers inside free text, as the sanitize proof looks for them. Both are
 * written in many styles, and both look like dates, amounts, IP addresses, versions and
 * invoice numbers; the rules below (docs/sanitize.md, "The proof") say which digit runs count.
 */

/** Maximal runs of digit groups joined by 1–3 separator characters (space, tab, no-break space, dot, slash, dash). */
const SEPARATED_DIGITS = /\d+(?:[ \t\u00a0./-]{1,3}\d+)*/g;
const NOT_DIGITS = /\D+/;

/**
 * A Luhn-valid PAN of 13–19 digits outside the test BIN, written contiguously or in groups a
 * card is written in: fours (the last group 1–4 digits), one digit at a time, or the 4-6-5 and
 * 4-6-4 layouts of American Express and Diners. Any separator style counts, mixed or repeated;
 * other groupings (dates, IP addresses, amounts, versions) never form a card, and a run of more
 * than 19 digits without a separator is an identifier, not a card.
 */
export function hasCardNumber(value: string): boolean {
  for (const match of value.matchAll(SEPARATED_DIGITS)) {
    const run = match[0];
    if (run.length < 13) continue;
    const groups = run.split(NOT_DIGITS);
    for (let start = 0; start < groups.length; start++) {
      let digits = '';
      for (let end = start; end < groups.length; end++) {
        digits += groups[end] ?? '';
        if (digits.length > 19) break;
        if (digits.length >= 13 && cardLayout(groups.slice(start, end + 1)) && isLivePan(digits)) return true;
      }
    }
  }
  return false;
}

function cardLayout(groups: readonly string[]): boolean {
  const lengths = groups.map((g) => g.length);
  const last = lengths[lengths.length - 1] ?? 0;
  const body = lengths.slice(0, -1);
  if (body.length === 0) return true;
  if (body.every((l) => l === 4) && last <= 4) return true;
  if (body.every((l) => l === 1) && last === 1) return true;
  return lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (last === 5 || last === 4);
}

function isLivePan(digits: string): boolean {
  return !digits.startsWith(TEST_PAN_PREFIX) && luhnValid(digits);
}

/** North American area and exchange codes start with 2–9; N11 codes (411, 911) are services, never numbers. */
const NANP_CODE = '[2-9](?!11)\\d\\d';

/**
 * A North American number with phone punctuation: `(212) 736-4821`, `(212)736-4821`,
 * `212-736-4821`, `212.736.4821`, `212 736 4821`, `1-212-736-4821`, `+1 212 736 4821`. The
 * punctuation is evidence enough, so any three digits count as area and exchange (test data is
 * full of `(911) 831-9377`). Not part of a longer dotted or slashed number (an IP address, a
 * version, a date).
 */
const NANP_PUNCTUATED = /(?<!\d|\d[./])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ \t.-]{0,2}\d{3}[ \t.-]{0,2}|\d{3}[ \t./-]{1,3}\d{3}[ \t.-]{1,3})\d{4}(?!\d|[./-]\d)/g;

/**
 * Ten digits (or eleven with a leading 1) and nothing else: a phone number only when it fits
 * North American numbering and stands alone. Glued to letters, `#`, `-`, `_`, `/` or a dot it is
 * an identifier (`INV-2127364821`, `#2127364821`), and so it is after a word that names one.
 */
const NANP_COMPACT = new RegExp(`(?<![\\w#+./-])1?${NANP_CODE}${NANP_CODE}\\d{4}(?![\\w/-]|[.,]\\d)`, 'g');
const IDENTIFIER_BEFORE = /\b(?:invoice|inv|order|ord|ref|reference|ticket|case|txn|transaction|confirmation|tracking|account|acct|customer|id)\s*(?:no\.?|number|#)?\s*[:#=]?\s*$/i;

/** `+` then a country code and digits, in any grouping: E.164 as people write it (`+44 20 7946 0958`, `+442079460958`). */
const PLUS_NUMBER = /(?<![\w+])\+[ \t]?\(?\d[\d \t()./-]*/g;
/** E.164 numbers have at most 15 digits; fewer than 8 after a `+` is more likely a count or an offset. */
const E164_MIN_DIGITS = 8;
const E164_MAX_DIGITS = 15;
const SIGNED_AMOUNT = /^\+\d+\.\d{1,2}$/;

/**
 * A phone number other than a fictional one (555-0100 to 555-0199, which the `phone` masker
 * writes as `+1 555 01NN`): North American with phone punctuation, North American compact
 * standing alone, or any number written after a `+`.
 */
export function hasPhoneNumber(value: string): boolean {
  for (const m of value.matchAll(NANP_PUNCTUATED)) if (!isFictional(digitsOf(m[0]))) return true;
  for (const m of value.matchAll(NANP_COMPACT)) {
    if (IDENTIFIER_BEFORE.test(value.slice(Math.max(0, m.index - 32), m.index))) continue;
    if (!isFictional(m[0])) return true;
  }
  if (value.includes('+')) {
    for (const m of value.matchAll(PLUS_NUMBER)) {
      const digits = leadingPhoneDigits(m[0]);
      if (digits !== undefined && !SIGNED_AMOUNT.test(m[0].trimEnd()) && !isFictional(digits)) return true;
    }
  }
  return false;
}

/**
 * The digits of a `+` number up to the first group boundary that reaches E164_MIN_DIGITS, so
 * whatever follows the number (a date, a count) does not change its reading; undefined when the
 * number is shorter or longer than E.164 allows, or a separator longer than three characters
 * ends it first.
 */
function leadingPhoneDigits(text: string): string | undefined {
  let digits = '';
  for (const part of text.slice(1).split(/(\D+)/)) {
    if (part === '') continue;
    if (!/^\d/.test(part)) {
      if (part.length > 3) return undefined;
      continue;
    }
    digits += part;
    if (digits.length >= E164_MIN_DIGITS) return digits.length <= E164_MAX_DIGITS ? digits : undefined;
  }
  return undefined;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** 555-01NN, with or without the area code and the country code 1. */
function isFictional(digits: string): boolean {
  const national = (digits.length === 11 || digits.length === 8) && digits.startsWith('1') ? digits.slice(1) : digits;
  const local = national.length === 10 ? national.slice(3) : national;
  return local.length === 7 && local.startsWith('55501');
}
