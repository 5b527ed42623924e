import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { DifferenceLog, type ExplainOutbound } from './outbound-differences.js';
import { pairedInOrder, type MailKeeping, type MailSent, type OutboundRecord } from './outbound-record.js';
import type { MailFold } from './outbound-mail-fold.js';
import { IntColumn, IntegerMap, StringColumn, StringIds } from '../compact/columns.js';
import type { CheckResult } from './types.js';
import type { MaskedContacts } from './masked-contacts.js';

/** Production recipient → the addresses masking made of it in the rehearsal copy (a Map is one). */
export interface MaskedRecipients {
  get(address: string): ReadonlySet<string> | undefined;
}

/**
 * The masked forms kept compactly: each production address once (an id), its first form in a
 * column and further forms chained; a million recipients as Map entries of Sets cost ~300 MB.
 */
class MaskedForms implements MaskedRecipients {
  readonly addresses = new StringIds();
  private readonly forms = new StringColumn();
  private readonly nextForm = new IntColumn();
  private readonly firstForm = new IntColumn();

  add(address: number, form: string): void {
    this.firstForm.extendTo(address + 1, -1);
    for (let f = this.firstForm.get(address); f !== -1; f = this.nextForm.get(f)) if (this.forms.get(f) === form) return;
    const row = this.forms.push(form);
    this.nextForm.push(this.firstForm.get(address));
    this.firstForm.set(address, row);
  }

  get(address: string): ReadonlySet<string> | undefined {
    const id = this.addresses.find(address);
    if (id < 0 || id >= this.firstForm.length || this.firstForm.get(id) === -1) return undefined;
    const set = new Set<string>();
    for (let f = this.firstForm.get(id); f !== -1; f = this.nextForm.get(f)) set.add(this.forms.get(f));
    return set;
  }
}

/**
 * The masked form of every address production mailed. Masking is deterministic and the masking
 * key is deliberately not kept after sanitize, so instead of hashing again this reads what the
 * masker wrote: the contact rows production's recipients came from, as sanitize left them.
 */
export async function maskedRecipients(sanitized: MaskedContacts, production: DatabaseEngine, sent: OutboundRecord, profile: Profile): Promise<MaskedRecipients> {
  const masked = new MaskedForms();
  if (!profile.has('contactEmails')) return masked;
  sent.forEachRecipientList((to) => to.forEach((a) => masked.addresses.intern(a)));
  // Production's contact id → its address's id: a million of them kept compactly.
  const contactsOf = new IntegerMap();
  for await (const row of profile.stream(production, 'contactEmails', {})) {
    const address = masked.addresses.find(row.email.toLowerCase());
    if (address >= 0) contactsOf.set(Number(row.contact_id), address);
  }
  for await (const row of sanitized()) {
    const original = contactsOf.get(Number(row.contact_id));
    if (original >= 0) masked.add(original, row.email.toLowerCase());
  }
  return masked;
}

const MAIL_CHECK = { id: 'outbound-mail', title: "Every account was mailed what production mailed it, to the masked form of production's recipient" };

/** With invoice e-mail off, any message is a failure; otherwise undefined and the comparison goes on. */
function mailOff(rehearsal: OutboundRecord, mailEnabled: boolean): CheckResult | undefined {
  if (mailEnabled) return undefined;
  return rehearsal.mailCount === 0
    ? { ...MAIL_CHECK, status: 'skipped', summary: 'invoice e-mail is off in the plan, and no mail reached the sinkhole' }
    : { ...MAIL_CHECK, status: 'failed', summary: `invoice e-mail is off in the plan, yet ${rehearsal.mailCount} message(s) reached the mail sinkhole` };
}

/**
 * Mail, per account: the rehearsal sent each account as many messages as production did, of the
 * same subject class, each to the masked form of production's recipient. Both records keep every
 * message.
 */
export function checkOutboundMail(rehearsal: OutboundRecord, production: OutboundRecord, masked: MaskedRecipients, mailEnabled: boolean, explain?: ExplainOutbound): CheckResult {
  const off = mailOff(rehearsal, mailEnabled);
  if (off !== undefined) return off;
  const log = new DifferenceLog(explain);
  compareMessages(log, rehearsal, production, masked);
  return mailResult(log, rehearsal, production, { production: production.unattributedMail().length, rehearsal: rehearsal.unattributedMail().length });
}

/** Reads one side's mail again, keeping only what `mail` asks for. */
export type MailReading = (mail: MailKeeping) => Promise<OutboundRecord>;

/**
 * The same check on records that folded their mail per account (`MailFold`): the accounts whose
 * folds differ are read again from both sides, alone, and compared message by message; on a GO
 * nothing is read twice and no message is held.
 */
export async function checkOutboundMailFolded(
  sides: { readonly rehearsal: OutboundRecord; readonly production: OutboundRecord; readonly fold: MailFold },
  reread: { readonly rehearsal: MailReading; readonly production: MailReading; readonly masked: (production: OutboundRecord) => Promise<MaskedRecipients> },
  mailEnabled: boolean,
  explain?: ExplainOutbound,
): Promise<CheckResult> {
  const { rehearsal, production, fold } = sides;
  const off = mailOff(rehearsal, mailEnabled);
  if (off !== undefined) return off;
  const log = new DifferenceLog(explain);
  const differing = fold.differing();
  if (differing.length > 0) {
    const accounts = new Uint8Array(rehearsal.keys.accounts.size);
    for (const id of differing) accounts[id] = 1;
    const only: MailKeeping = { kind: 'only', accounts };
    const productionMail = await reread.production(only);
    compareMessages(log, await reread.rehearsal(only), productionMail, await reread.masked(productionMail));
  }
  return mailResult(log, rehearsal, production, fold.unattributed);
}

/** Every account either record holds messages for, in account order, into `log`. */
function compareMessages(log: DifferenceLog, rehearsal: OutboundRecord, production: OutboundRecord, masked: MaskedRecipients): void {
  const expected = (mail: MailSent): string => mail.to.map((a) => [...(masked.get(a) ?? [`(no contact holds ${a})`])].join(' or ')).join(', ');
  for (const [account, p, r] of pairedInOrder(production, rehearsal, (k) => k.accounts, (x) => x.mailAccountIds(), (x, id) => x.mailOfId(id))) {
    if (r.length === 0) {
      log.add(account, 'not mailed', { production: `${p.length} message(s) to ${expected(p[0] as MailSent)}`, rehearsal: 'none' });
      continue;
    }
    if (p.length === 0) {
      log.add(account, 'mailed, production did not', { production: 'none', rehearsal: `${r.length} message(s) to ${(r[0] as MailSent).to.join(', ')}` });
      continue;
    }
    if (r.length !== p.length) log.add(account, 'message count differs', { production: p.length, rehearsal: r.length });
    for (const mail of p) {
      const same = r.findIndex((x) => sameSubject(x, mail) && sameRecipients(x, mail, masked));
      if (same >= 0) {
        r.splice(same, 1);
        continue;
      }
      const subjectMatch = r.findIndex((x) => sameSubject(x, mail));
      if (subjectMatch >= 0) {
        const [other] = r.splice(subjectMatch, 1);
        log.add(account, 'recipient differs', { production: `${mail.subjectClass ?? 'a message'} to ${expected(mail)} (masked)`, rehearsal: `to ${other?.to.join(', ') ?? ''}` });
      } else if (r.length > 0) {
        const [other] = r.splice(0, 1);
        log.add(account, 'subject differs', { production: mail.subjectClass ?? '—', rehearsal: other?.subjectClass ?? '—' });
      }
    }
  }
}

function mailResult(log: DifferenceLog, rehearsal: OutboundRecord, production: OutboundRecord, unattributed: { readonly production: number; readonly rehearsal: number }): CheckResult {
  if (unattributed.rehearsal !== unattributed.production) log.add(undefined, 'messages naming no account', { production: unattributed.production, rehearsal: unattributed.rehearsal });
  const productionCount = production.mailCount;
  return log.result(
    MAIL_CHECK,
    `${productionCount} message(s) to ${production.mailAccountCount} account(s) in production${production.source === 'database' ? ' (as its database recorded them)' : ''}, the same in the rehearsal: counts, subjects and masked recipients match`,
    [{ side: 'production', messages: productionCount, accounts: production.mailAccountCount }, { side: 'rehearsal', messages: rehearsal.mailCount, accounts: rehearsal.mailAccountCount }],
  );
}

/** A side that recorded no subject (a database) matches any. */
function sameSubject(a: MailSent, b: MailSent): boolean {
  return a.subjectClass === undefined || b.subjectClass === undefined || a.subjectClass === b.subjectClass;
}

/** Every production recipient is matched by one of its masked forms in the rehearsal's message, and nothing else is there. */
function sameRecipients(rehearsal: MailSent, production: MailSent, masked: MaskedRecipients): boolean {
  if (rehearsal.to.length !== production.to.length) return false;
  const left = [...rehearsal.to];
  for (const address of production.to) {
    const forms = masked.get(address);
    const at = left.findIndex((a) => forms?.has(a) === true);
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}
