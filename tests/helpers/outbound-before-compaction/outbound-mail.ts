import type { DatabaseEngine } from '../../../src/engine/types.js';
import { SAMPLE_PROFILE } from '../sample-profile.js';
import { DifferenceLog } from '../../../src/checks/outbound-differences.js';
import type { MailSent, OutboundRecord } from './outbound-record.js';
import type { CheckResult } from '../../../src/checks/types.js';

/** Production recipient → the addresses masking made of it in the rehearsal copy. */
export type MaskedRecipients = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The masked form of every address production mailed. Masking is deterministic and the masking
 * key is deliberately not kept after sanitize, so instead of hashing again this reads what the
 * masker wrote: the contact rows production's recipients came from, as the rehearsal copy holds them.
 */
export async function maskedRecipients(rehearsal: DatabaseEngine, production: DatabaseEngine, sent: OutboundRecord): Promise<MaskedRecipients> {
  const wanted = new Set<string>();
  const collect = (mail: MailSent): void => mail.to.forEach((a) => wanted.add(a));
  for (const list of sent.mailByAccount.values()) list.forEach(collect);
  sent.unattributedMail.forEach(collect);
  const contactsOf = new Map<number, string>();
  for await (const row of SAMPLE_PROFILE.stream(production, 'contactEmails', {})) {
    const address = row.email.toLowerCase();
    if (wanted.has(address)) contactsOf.set(Number(row.contact_id), address);
  }
  const masked = new Map<string, Set<string>>();
  for await (const row of SAMPLE_PROFILE.stream(rehearsal, 'contactEmails', {})) {
    const original = contactsOf.get(Number(row.contact_id));
    if (original === undefined) continue;
    const set = masked.get(original) ?? new Set<string>();
    set.add(row.email.toLowerCase());
    masked.set(original, set);
  }
  return masked;
}

/**
 * Mail, per account: the rehearsal sent each account as many messages as production did, of the
 * same subject class, each to the masked form of production's recipient.
 */
export function checkOutboundMail(rehearsal: OutboundRecord, production: OutboundRecord, masked: MaskedRecipients, mailEnabled: boolean): CheckResult {
  const base = { id: 'outbound-mail', title: "Every account was mailed what production mailed it, to the masked form of production's recipient" };
  const rehearsalCount = count(rehearsal.mailByAccount) + rehearsal.unattributedMail.length;
  const productionCount = count(production.mailByAccount) + production.unattributedMail.length;
  if (!mailEnabled) {
    return rehearsalCount === 0
      ? { ...base, status: 'skipped', summary: 'invoice e-mail is off in the plan, and no mail reached the sinkhole' }
      : { ...base, status: 'failed', summary: `invoice e-mail is off in the plan, yet ${rehearsalCount} message(s) reached the mail sinkhole` };
  }
  const log = new DifferenceLog();
  const expected = (mail: MailSent): string => mail.to.map((a) => [...(masked.get(a) ?? [`(no contact holds ${a})`])].join(' or ')).join(', ');
  const accounts = [...new Set([...production.mailByAccount.keys(), ...rehearsal.mailByAccount.keys()])].sort();
  for (const account of accounts) {
    const p = production.mailByAccount.get(account) ?? [];
    const r = [...(rehearsal.mailByAccount.get(account) ?? [])];
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
  if (rehearsal.unattributedMail.length !== production.unattributedMail.length) {
    log.add(undefined, 'messages naming no account', { production: production.unattributedMail.length, rehearsal: rehearsal.unattributedMail.length });
  }
  return log.result(
    base,
    `${productionCount} message(s) to ${production.mailByAccount.size} account(s) in production${production.source === 'database' ? ' (as its database recorded them)' : ''}, the same in the rehearsal: counts, subjects and masked recipients match`,
    [{ side: 'production', messages: productionCount, accounts: production.mailByAccount.size }, { side: 'rehearsal', messages: rehearsalCount, accounts: rehearsal.mailByAccount.size }],
  );
}

/** A side that recorded no subject (a database) matches any. */
function sameSubject(a: MailSent, b: MailSent): boolean {
  return a.subjectClass === undefined || b.subjectClass === undefined || a.subjectClass === b.subjectClass;
}

function count<T>(map: ReadonlyMap<string, readonly T[]>): number {
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
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
