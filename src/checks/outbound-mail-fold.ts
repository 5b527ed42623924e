import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { IntColumn, IntegerMap } from '../compact/columns.js';
import type { MaskedContacts } from './masked-contacts.js';

/** Two independent 32-bit hashes of a string: 64 bits, so that unequal messages fold equal only by a ~2⁻⁶⁴ chance. */
export type HashPair = readonly [number, number];

function finalMix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function hashPair(value: string): HashPair {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return [finalMix(a), finalMix(b)];
}

const REHEARSAL = 1;
const PRODUCTION = 2;
/** Some production message of the account cannot be folded (a recipient with no single masked form, a message without subject): compare it message by message. */
const UNFOLDED = 4;

/**
 * Mail per account folded to what decides the mail check when nothing differs: production's
 * messages subtracted from the rehearsal's as (count, two sums of message hashes), where a
 * message's hash covers its subject class and the multiset of its recipients (production's through
 * their masked forms). An account whose sums are not all zero, or that could not be folded, is
 * compared message by message after reading both sides again for it alone; the others hold 13
 * bytes each instead of every message.
 *
 * The fold equals zero exactly when both sides hold the same multiset of (subject class, masked
 * recipients), save a 64-bit hash collision; the message-by-message comparison pairs such accounts
 * fully and reports nothing for them, so what it reports for the other accounts is everything.
 */
export class MailFold {
  private readonly count = new IntColumn();
  private readonly sum1 = new IntColumn();
  private readonly sum2 = new IntColumn();
  private flags = new Uint8Array(1024);
  readonly messages = { rehearsal: 0, production: 0 };
  readonly accounts = { rehearsal: 0, production: 0 };
  readonly unattributed = { rehearsal: 0, production: 0 };

  /** `subjects`: false when production's record has no subjects (a database), which then match any. */
  constructor(readonly subjects: boolean) {}

  /** The rehearsal's message: its own (lower-cased) recipients. */
  addRehearsal(account: number | undefined, to: readonly string[], subjectClass: string | undefined): void {
    this.messages.rehearsal++;
    if (account === undefined) {
      this.unattributed.rehearsal++;
      return;
    }
    this.mark(account, REHEARSAL);
    this.fold(account, +1, to.map(hashPair), subjectClass);
  }

  /** Production's message: each recipient stands for its masked form. */
  addProduction(account: number | undefined, to: readonly string[], subjectClass: string | undefined, masked: MaskedHashes): void {
    this.messages.production++;
    if (account === undefined) {
      this.unattributed.production++;
      return;
    }
    this.mark(account, PRODUCTION);
    const forms: HashPair[] = [];
    for (const address of to) {
      const form = masked.formOf(address);
      if (form === undefined) {
        this.unfolded(account);
        return;
      }
      forms.push(form);
    }
    this.fold(account, -1, forms, subjectClass);
  }

  /** Ids of the accounts some side mailed whose messages do not fold to the same. */
  differing(): number[] {
    const ids: number[] = [];
    for (let id = 0; id < this.count.length; id++) {
      const flags = this.flags[id] as number;
      if (flags === 0) continue;
      if (flags & UNFOLDED || this.count.get(id) !== 0 || this.sum1.get(id) !== 0 || this.sum2.get(id) !== 0) ids.push(id);
    }
    return ids;
  }

  private mark(account: number, side: number): void {
    this.count.extendTo(account + 1, 0);
    this.sum1.extendTo(account + 1, 0);
    this.sum2.extendTo(account + 1, 0);
    if (account >= this.flags.length) {
      const grown = new Uint8Array(Math.max(account + 1, Math.ceil(this.flags.length * 1.5)));
      grown.set(this.flags);
      this.flags = grown;
    }
    const flags = this.flags[account] as number;
    if ((flags & side) === 0) {
      if (side === REHEARSAL) this.accounts.rehearsal++;
      else this.accounts.production++;
      this.flags[account] = flags | side;
    }
  }

  private unfolded(account: number): void {
    this.flags[account] = (this.flags[account] as number) | UNFOLDED;
  }

  private fold(account: number, sign: number, recipients: readonly HashPair[], subjectClass: string | undefined): void {
    let subject: HashPair = [0, 0];
    if (this.subjects) {
      if (subjectClass === undefined) {
        this.unfolded(account);
        return;
      }
      subject = hashPair(subjectClass);
    }
    let r1 = 0;
    let r2 = 0;
    for (const [x, y] of recipients) {
      r1 = (r1 + finalMix(x)) | 0;
      r2 = (r2 + finalMix(y ^ 0x5bd1e995)) | 0;
    }
    const n = recipients.length;
    const m1 = finalMix(subject[0] ^ finalMix((r1 + Math.imul(n, 0x9e3779b9)) | 0));
    const m2 = finalMix(((subject[1] + 0x632be5ab) | 0) ^ finalMix(r2 ^ Math.imul(n, 0x85ebca6b)));
    this.count.set(account, this.count.get(account) + sign);
    this.sum1.set(account, (this.sum1.get(account) + sign * m1) | 0);
    this.sum2.set(account, (this.sum2.get(account) + sign * m2) | 0);
  }
}

/** 53 bits of an address's hash pair: an exact key of IntegerMap. */
function addressKey([x, y]: HashPair): number {
  return (x >>> 0) * 0x200000 + (y >>> 11);
}

/**
 * The masked form of every address production's contacts hold, by hashes: what folding
 * production's messages needs, in ~36 bytes an address. An address masked two ways (two contacts
 * masked differently) has no single form, and its messages are compared one by one.
 */
export class MaskedHashes {
  /** Address → row of its form in `form1`/`form2`, or SEVERAL. */
  private readonly rows = new IntegerMap();
  private readonly form1 = new IntColumn();
  private readonly form2 = new IntColumn();

  add(address: HashPair, form: HashPair): void {
    const key = addressKey(address);
    const row = this.rows.get(key);
    if (row < 0) {
      this.rows.set(key, this.form1.push(form[0]));
      this.form2.push(form[1]);
    } else if (row !== SEVERAL && (this.form1.get(row) !== form[0] || this.form2.get(row) !== form[1])) this.rows.set(key, SEVERAL);
  }

  /** The hashes of the address's one masked form; none when no contact holds it or it has several. */
  formOf(address: string): HashPair | undefined {
    const row = this.rows.get(addressKey(hashPair(address)));
    if (row < 0 || row === SEVERAL) return undefined;
    return [this.form1.get(row), this.form2.get(row)];
  }
}

/** The row of an address masked two ways: the largest value IntegerMap holds. */
const SEVERAL = 0x7ffffffe;

/**
 * Reads what the masker wrote for every production contact: its address in production and the
 * same contact's address as sanitize left it (see `maskedRecipients`), both read in contact id
 * order and joined as they stream: a table of production's contacts by id cost 60–80 MB at a
 * million accounts.
 */
export async function maskedHashes(sanitized: MaskedContacts, production: DatabaseEngine, profile: Profile): Promise<MaskedHashes> {
  const masked = new MaskedHashes();
  if (!profile.has('contactEmails')) return masked;
  const copies = sanitized()[Symbol.asyncIterator]();
  try {
    let copy = await copies.next();
    for await (const row of profile.stream(production, 'contactEmails', {})) {
      const id = Number(row.contact_id);
      while (!copy.done && Number(copy.value.contact_id) < id) copy = await copies.next();
      if (copy.done) break;
      if (Number(copy.value.contact_id) === id) masked.add(hashPair(row.email.toLowerCase()), hashPair(copy.value.email.toLowerCase()));
    }
  } finally {
    await copies.return?.();
  }
  return masked;
}
