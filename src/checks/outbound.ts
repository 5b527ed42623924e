import { existsSync } from 'node:fs';
import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { ChargeEligibilityRow, PackageToProvisionRow } from '../platform/rows.js';
import { checkMailAmounts, checkMailRecorded, checkMailSender, checkPaymentsRecorded, checkProvisioningRecorded } from './ledger-consistency.js';
import { checkOutboundMailFolded, maskedRecipients, type MailReading, type MaskedRecipients } from './outbound-mail.js';
import { MailFold, maskedHashes } from './outbound-mail-fold.js';
import { sideNaming } from './outbound-naming.js';
import { checkOutboundPayments } from './outbound-payments.js';
import { checkOutboundProvisioning } from './outbound-provisioning.js';
import { OutboundKeys, outboundFromLedger, type OutboundRecord } from './outbound-record.js';
import { outboundFromDatabase } from './outbound-recorded.js';
import type { CheckResult } from './types.js';
import type { MaskedContacts } from './masked-contacts.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';
import type { ExplainOutbound } from './outbound-differences.js';

export interface OutboundInputs {
  readonly rehearsal: DatabaseEngine;
  readonly production: DatabaseEngine;
  /**
   * The copy's contacts as sanitize left them, recorded before the bill run: where the masked form
   * of each production contact's address is read. The billed copy would also hold what the bill
   * run wrote over a contact, and mail sent to that address would then look like production's.
   */
  readonly maskedContacts: MaskedContacts;
  /** The sandbox's ledger and when the bill run started (entries before it are probes). */
  readonly rehearsalLedger: string | undefined;
  readonly since: string | undefined;
  /** Production's own ledger (`productionResult.ledger`), when it has one. */
  readonly productionLedger: string | undefined;
  readonly billDate: string;
  readonly configuration: { readonly emailInvoices: boolean; readonly chargeAutoPay: boolean; readonly provision: boolean };
  readonly packagesToProvision: readonly PackageToProvisionRow[] | undefined;
  /** The mail sender the copy's settings named before the bill run, when the baseline kept it. */
  readonly senderBeforeBillRun?: string;
  readonly profile: Profile;
  /** Labels differences the plan's release notes explain. */
  readonly releaseNotes?: ReleaseNoteLabeller;
}

/**
 * What the bill run sent, against what production sent (mail, payments, provisioning) and
 * against what the billed copy recorded. Without production's ledger (a real platform, whose bill
 * run no sinkhole saw) what production sent is what its database recorded.
 */
export async function checkOutbound(inputs: OutboundInputs): Promise<CheckResult[]> {
  const { rehearsalLedger, productionLedger, configuration } = inputs;
  if (rehearsalLedger === undefined || !existsSync(rehearsalLedger)) {
    return [{ id: 'outbound', title: 'What the bill run sent matches production and the database', status: 'failed', summary: "the sandbox's sinkhole ledger is not there, so nothing the bill run sent can be compared" }];
  }
  const { profile } = inputs;
  // One numbering of accounts and invoices for both sides: each stored once, paired by id.
  const keys = new OutboundKeys();
  const rehearsalNaming = await sideNaming(inputs.rehearsal, profile);
  const productionNaming = productionLedger !== undefined ? await sideNaming(inputs.production, profile) : undefined;
  const readRehearsal: MailReading = async (mail) => outboundFromLedger(rehearsalLedger, rehearsalNaming, inputs.since, keys, mail);
  const readProduction: MailReading =
    productionLedger !== undefined && productionNaming !== undefined
      ? async (mail) => outboundFromLedger(productionLedger, productionNaming, undefined, keys, mail)
      : (mail) => outboundFromDatabase(inputs.production, inputs.billDate, profile, keys, mail);
  // A database records no subjects: production's messages then match any subject.
  const fold = new MailFold(productionLedger !== undefined);
  const sent = await readRehearsal({ kind: 'folded', fold, side: 'rehearsal' });
  const consistency = [
    await checkPaymentsRecorded(inputs.rehearsal, sent, inputs.billDate, profile),
    await checkMailRecorded(inputs.rehearsal, sent, inputs.billDate, configuration.emailInvoices, profile),
    await checkMailAmounts(inputs.rehearsal, sent, inputs.billDate, configuration.emailInvoices, profile, inputs.production),
    await checkMailSender(inputs.rehearsal, sent, configuration.emailInvoices, profile, inputs.senderBeforeBillRun),
    await checkProvisioningRecorded(inputs.rehearsal, sent, inputs.packagesToProvision, profile),
  ];
  const productionSent = await readProduction({ kind: 'folded', fold, side: 'production', masked: await maskedHashes(inputs.maskedContacts, inputs.production, profile) });
  const masked = (production: OutboundRecord): Promise<MaskedRecipients> => maskedRecipients(inputs.maskedContacts, inputs.production, production, profile);
  return [
    await checkOutboundMailFolded({ rehearsal: sent, production: productionSent, fold }, { rehearsal: readRehearsal, production: readProduction, masked }, configuration.emailInvoices, explainWith(inputs.releaseNotes, 'mail')),
    await checkOutboundPayments(sent, productionSent, eligibility(inputs, profile), configuration.chargeAutoPay, explainWith(inputs.releaseNotes, 'payments')),
    checkOutboundProvisioning(sent, productionSent, configuration.provision),
    ...consistency,
  ];
}

/** Without the concept no invoice is known to be ineligible: only the comparison with production then guards charges. */
async function* eligibility(inputs: OutboundInputs, profile: Profile): AsyncIterable<ChargeEligibilityRow> {
  if (!profile.has('chargeEligibility')) return;
  yield* profile.stream(inputs.rehearsal, 'chargeEligibility', { billDate: inputs.billDate, billMonth: inputs.billDate.slice(0, 7) });
}

function explainWith(releaseNotes: ReleaseNoteLabeller | undefined, check: 'mail' | 'payments'): ExplainOutbound | undefined {
  return releaseNotes === undefined ? undefined : (account, kind, row) => releaseNotes.outbound(check, account, kind, row);
}
