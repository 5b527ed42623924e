import { shortDigest } from './short-digest.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Attribution } from './attribution.js';

/** What the payment sinkhole keeps from a charge request; never a full card number or a token. */
export interface ChargeFacts {
  readonly amountCents?: number;
  readonly currency?: string;
  readonly invoice?: string;
  /** The card's last four digits (none for a bank payment). */
  readonly last4?: string;
  readonly account?: string;
  /** The request's field names, sorted, with the value of each yes/no field (`capture=false`); fields that hold secrets or card and bank data left out. */
  readonly form?: string;
  /** The idempotency key's digest (`idempotencyKeyDigest`), from its header or its body field. */
  readonly idempotencyKey?: string;
}

const AMOUNT_CENTS_KEYS = ['amount_cents', 'amountCents', 'amount_minor'];
const AMOUNT_KEYS = ['amount', 'AMT', 'ssl_amount', 'x_amount', 'Amount', 'totalAmount', 'value'];
const INVOICE_KEYS = ['invoice', 'invoice_number', 'invoiceNumber', 'INVNUM', 'ssl_invoice_number', 'x_invoice_num', 'order_id', 'orderId'];
const CURRENCY_KEYS = ['currency', 'CURRENCYCODE', 'currencyCode'];
// A card's last four only. A bank payment's routing or account digits are not read: sanitize
// masks bank numbers (the sample's keyed hash leaves no digits), so a decline keyed on them would
// decline other payments than production's gateway did and the state differential would call the
// difference the release's (5 eCheck accounts of 825,644 at 1M, a wrong NO-GO).
const LAST4_KEYS = ['last4', 'card_last4'];

/** Adds the scalar fields of a parsed JSON value under their own names (nested keys keep their last name; the first value of a name wins). */
function addJsonFields(value: unknown, key: string, fields: Map<string, string>): void {
  if (value !== null && typeof value === 'object') {
    for (const k in value) if (Object.hasOwn(value, k)) addJsonFields((value as Record<string, unknown>)[k], k, fields);
  } else if (value !== undefined && value !== null && !fields.has(key)) {
    fields.set(key, String(value));
  }
}

/** Fields of a JSON or form body, flattened. Module-level functions, not closures: this runs for every charge. */
function fieldsOf(body: string, contentType: string): Map<string, string> {
  const fields = new Map<string, string>();
  if (contentType.includes('json') || body.trimStart().startsWith('{')) {
    try {
      addJsonFields(JSON.parse(body), '', fields);
      return fields;
    } catch {
      // not JSON after all; try the form reading below
    }
  }
  if (body.includes('=')) for (const [k, v] of new URLSearchParams(body)) if (!fields.has(k)) fields.set(k, v);
  return fields;
}

function first(fields: Map<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = fields.get(key);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * An amount with a decimal point is in major units ("12.34"); a whole number is taken as minor
 * units, as Stripe, Adyen and Square send it.
 */
function centsOf(fields: Map<string, string>): number | undefined {
  const cents = first(fields, AMOUNT_CENTS_KEYS);
  if (cents !== undefined && /^-?\d+$/.test(cents)) return Number(cents);
  const amount = first(fields, AMOUNT_KEYS);
  if (amount === undefined) return undefined;
  if (/^-?\d+\.\d{1,3}$/.test(amount)) return Math.round(Number(amount) * 100);
  if (/^-?\d+$/.test(amount)) return Number(amount);
  return undefined;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Last four digits of the first card number in the text, if one is there (13–19 digits, Luhn-valid). */
export function cardLast4In(text: string): string | undefined {
  for (const match of text.matchAll(/(?<!\d)\d{13,19}(?!\d)/g)) {
    if (luhnValid(match[0])) return match[0].slice(-4);
  }
  return undefined;
}

/** Fields whose presence may follow sanitize (a token it nulled, which a platform then leaves out) rather than the release. */
const SANITIZED_FIELD = /token|card|number|cvv|cvc|pan|iban|routing|secret|password|key|signature/i;
/** Most names a request's form or header list keeps: a request with hundreds of fields still makes one short entry. */
const MAX_LISTED_NAMES = 40;

/**
 * What a charge asks the gateway to do beyond its amount: which fields it sends and each yes/no
 * field's value. An authorization that is never captured (`capture=false`) or a new field the
 * gateway does not know looks like the same charge by amount and currency alone.
 */
function formOf(fields: Map<string, string>): string {
  const parts: string[] = [];
  for (const [name, value] of fields) {
    // An idempotency key's name stays (Square sends it in the body): without it a retry charges twice.
    if (SANITIZED_FIELD.test(name) && !namesIdempotencyKey(name)) continue;
    parts.push(value === 'true' || value === 'false' ? `${name}=${value}` : name);
  }
  return parts.sort().slice(0, MAX_LISTED_NAMES).join(',');
}

/** Longest header value kept (an API version, a media type, an authorization scheme); anything longer is cut. */
const MAX_HEADER_VALUE = 40;
/** Keeps a header value to printable ASCII without the list separator, so the joined text parses back one way. */
function headerValue(value: string): string {
  return value.slice(0, MAX_HEADER_VALUE).replace(/[^\x21-\x2b\x2d-\x7e]/g, '?');
}

/** A header or body field that carries an idempotency key (`Idempotency-Key`, `X-Idempotency-Key`, Square's `idempotency_key`). */
function namesIdempotencyKey(name: string): boolean {
  return /idempotency/i.test(name);
}

/** `authorization=<scheme>`, with `(empty)` when no credential follows the scheme; the credential is never kept. */
function authorizationPart(value: string): string {
  const space = value.search(/\s/);
  const scheme = space < 0 ? value : value.slice(0, space);
  const empty = space < 0 || value.slice(space).trim() === '';
  return `authorization=${headerValue(scheme.toLowerCase())}${empty ? '(empty)' : ''}`;
}

/**
 * The request headers that change what a gateway does, as one sorted list
 * (`authorization=bearer,content-type=application/json,idempotency-key`):
 * - `authorization`: its scheme only, and `(empty)` when no credential follows it: a release that
 *   drops or blanks the gateway's credentials is refused by the real gateway on every charge, and
 *   the sinkhole would approve it. The credential itself is never kept;
 * - `content-type`: the media type without parameters (the gateway parses the body by it);
 * - an idempotency key's header: its presence only, since without it a retry charges twice;
 * - an API version header (`Stripe-Version`, `X-Api-Version`): its value, which selects the
 *   gateway's behaviour.
 * What an HTTP client sets on its own (user agent, accept, connection, lengths) is left out: a
 * release that upgrades its client changes those and the gateway does not care.
 * `headers` as Node parses them: names in lower case, one value per name.
 */
export function requestHeadersOf(headers: IncomingHttpHeaders): string {
  const parts: string[] = [];
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const value = (typeof raw === 'string' ? raw : raw.join(', ')).trim();
    if (name === 'authorization') parts.push(authorizationPart(value));
    else if (name === 'content-type') parts.push(`content-type=${headerValue(mediaType(value))}`);
    else if (name.endsWith('-version')) parts.push(`${headerValue(name)}=${headerValue(value)}`);
    else if (namesIdempotencyKey(name)) parts.push(headerValue(name));
  }
  return parts.length < 2 ? (parts[0] ?? '') : parts.sort().slice(0, MAX_LISTED_NAMES).join(',');
}

function mediaType(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * 13 hex digits of the key's SHA-256: a number below 2^52 a record keeps in a float column, and
 * the key itself never in the ledger. A gateway answers a repeated key with the first charge's
 * answer, so one key sent for two invoices charges only the first.
 */
export function idempotencyKeyDigest(key: string): string {
  return shortDigest(key);
}

function idempotencyKeyIn(headers: IncomingHttpHeaders, fields: Map<string, string>): string | undefined {
  for (const name in headers) {
    const value = headers[name];
    if (namesIdempotencyKey(name) && typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  for (const [name, value] of fields) if (namesIdempotencyKey(name) && value.trim() !== '') return value.trim();
  return undefined;
}

/** `headers` as Node parses them (names in lower case); the body is read by their `content-type`. */
export function chargeFactsOf(body: string, headers: IncomingHttpHeaders, attribution: Attribution): ChargeFacts {
  const fields = fieldsOf(body, headers['content-type'] ?? '');
  const amountCents = centsOf(fields);
  const currency = first(fields, CURRENCY_KEYS);
  const invoice = first(fields, INVOICE_KEYS) ?? attribution.invoiceIn(body);
  const givenLast4 = first(fields, LAST4_KEYS);
  const last4 = givenLast4 !== undefined && /^\d{4}$/.test(givenLast4) ? givenLast4 : cardLast4In(body);
  const account = attribution.accountIn(invoice ?? '') ?? attribution.accountIn(body);
  // Filled in this order (the ledger's key order), without spreads: this runs for every charge.
  const facts: { -readonly [K in keyof ChargeFacts]: ChargeFacts[K] } = {};
  if (amountCents !== undefined) facts.amountCents = amountCents;
  if (currency !== undefined) facts.currency = currency.slice(0, 8);
  if (invoice !== undefined) facts.invoice = invoice.slice(0, 64);
  if (last4 !== undefined) facts.last4 = last4;
  if (account !== undefined) facts.account = account;
  if (fields.size > 0) facts.form = formOf(fields);
  const key = idempotencyKeyIn(headers, fields);
  if (key !== undefined) facts.idempotencyKey = idempotencyKeyDigest(key);
  return facts;
}
