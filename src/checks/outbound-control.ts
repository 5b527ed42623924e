import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';
import type { MaskedContacts } from './masked-contacts.js';
import { checkOutboundMailFolded, type MailReading, type MaskedRecipients } from './outbound-mail.js';
import { MailFold, MaskedHashes, hashPair } from './outbound-mail-fold.js';
import { sideNaming } from './outbound-naming.js';
import { checkOutboundPayments } from './outbound-payments.js';
import { checkOutboundProvisioning } from './outbound-provisioning.js';
import { OutboundKeys, outboundFromLedger } from './outbound-record.js';
import type { ExplainOutbound } from './outbound-differences.js';
import type { CheckResult } from './types.js';

export interface ControlOutboundInputs {
  /** The sandbox's ledger: the control run's entries, then the candidate's. */
  readonly ledger: string;
  readonly controlStartedAt: string;
  readonly candidateStartedAt: string;
  readonly candidate: DatabaseEngine;
  readonly control: DatabaseEngine;
  /** The contacts' masked addresses, recorded before both bill runs: both sides mail to these. */
  readonly maskedContacts: MaskedContacts;
  readonly configuration: { readonly emailInvoices: boolean; readonly chargeAutoPay: boolean; readonly provision: boolean };
  readonly profile: Profile;
  readonly releaseNotes?: ReleaseNoteLabeller;
}

const CONTROL = "the control run (production's release, same sandbox)";

/**
 * What the candidate sent against what production's release sent in the control run: the same
 * sanitized copy, the same sinkholes, one after the other, so both sides' requests are recorded in
 * full. Without production's own ledger (which no real platform has: its bill run talked to real
 * gateways) this is the only comparison of what each charge asked of the gateway (fields such as
 * `capture=false`, credentials, idempotency keys), of each switch request (package, action, which
 * switch) and of each mail's subject; production's database records none of them.
 */
export async function checkOutboundAgainstControl(inputs: ControlOutboundInputs): Promise<CheckResult[]> {
  const { ledger, profile, configuration } = inputs;
  const keys = new OutboundKeys();
  const candidateNaming = await sideNaming(inputs.candidate, profile);
  const controlNaming = await sideNaming(inputs.control, profile);
  // Both sides mailed the same masked data, so each message's text is compared too (by digest).
  const readCandidate: MailReading = async (mail) => outboundFromLedger(ledger, candidateNaming, inputs.candidateStartedAt, keys, mail, { comparesText: true });
  const readControl: MailReading = async (mail) => outboundFromLedger(ledger, controlNaming, inputs.controlStartedAt, keys, mail, { until: inputs.candidateStartedAt, comparesText: true });
  const fold = new MailFold(true);
  const sent = await readCandidate({ kind: 'folded', fold, side: 'rehearsal' });
  const controlSent = await readControl({ kind: 'folded', fold, side: 'production', masked: await sameAddresses(inputs.maskedContacts) });
  const notes = inputs.releaseNotes;
  const explain = (check: 'mail' | 'payments'): ExplainOutbound | undefined => (notes === undefined ? undefined : (account, kind, row) => notes.outbound(check, account, kind, row));
  return [
    againstControl(
      await checkOutboundMailFolded({ rehearsal: sent, production: controlSent, fold }, { rehearsal: readCandidate, production: readControl, masked: async () => SAME_ADDRESS }, configuration.emailInvoices, explain('mail')),
      'control.outbound-mail',
      'Every account was mailed as the production release mailed it in the control run: messages, subjects, texts, recipients',
    ),
    againstControl(
      // Eligibility is judged once, by `outbound-payments`; here only the two releases are compared.
      await checkOutboundPayments(sent, controlSent, undefined, configuration.chargeAutoPay, explain('payments')),
      'control.outbound-payments',
      'Every invoice was charged as the production release charged it in the control run: amount, processor, request fields and headers',
    ),
    againstControl(checkOutboundProvisioning(sent, controlSent, configuration.provision), 'control.outbound-provisioning', 'Every account was provisioned as the production release provisioned it in the control run: packages, actions, switches'),
  ];
}

/**
 * The control run mailed the same masked contacts the candidate did, so each of its recipients
 * stands for itself (production's own messages need the masked form of each address instead).
 */
async function sameAddresses(contacts: MaskedContacts): Promise<MaskedHashes> {
  const same = new MaskedHashes();
  for await (const contact of contacts()) {
    const hashes = hashPair(contact.email.toLowerCase());
    same.add(hashes, hashes);
  }
  return same;
}

const SAME_ADDRESS: MaskedRecipients = { get: (address) => new Set([address]) };

/**
 * One of the outbound checks, read as a comparison with the control run: its id and title, and
 * "production" where the check names its side (summary, section titles, evidence columns and the
 * `side` column), never inside the values it compared.
 */
function againstControl(result: CheckResult, id: string, title: string): CheckResult {
  const rename = (text: string): string => text.replace(/\bproduction's\b/g, "the control run's").replace(/\bproduction\b/g, 'the control run');
  type Row = NonNullable<CheckResult['evidence']>[number];
  const row = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([key, value]) => [key === 'production' ? 'control' : key, key === 'side' && value === 'production' ? 'the control run' : value]));
  return {
    ...result,
    id,
    title,
    summary: `against ${CONTROL}: ${rename(result.summary)}`,
    ...(result.evidence !== undefined ? { evidence: result.evidence.map(row) } : {}),
    ...(result.sections !== undefined ? { sections: result.sections.map((s) => ({ title: rename(s.title), rows: s.rows.map(row) })) } : {}),
  };
}
