import { forEachLedgerEntry, type LedgerEntry } from '../../../src/sinkholes/ledger.js';
import { Attribution } from '../../../src/sinkholes/attribution.js';
import { SAMPLE_ADAPTER } from '../sample-profile.js';

const SAMPLE_ATTRIBUTION = new Attribution(SAMPLE_ADAPTER.outbound);
const invoiceIn = (text: string): string | undefined => SAMPLE_ATTRIBUTION.invoiceIn(text);

/** One message as the outbound differential compares it. */
export interface MailSent {
  /** Recipients, lower-cased. */
  readonly to: readonly string[];
  /** The subject with invoice numbers and digits taken out: "Invoice <invoice>"; absent where only a database recorded the message. */
  readonly subjectClass?: string;
  readonly invoice?: string;
}

/** One charge request to a payment processor. */
export interface ChargeSent {
  readonly account?: string;
  readonly invoice?: string;
  /** The processor's name from the side's own settings, else the host it reached. */
  readonly processor: string;
  readonly amountCents?: number;
  readonly currency?: string;
  readonly approved: boolean;
}

/** One request to a switch. */
export interface ProvisioningSent {
  /** Which switch: its place in the side's own list of switches (`switch 1`), else `host:port`. */
  readonly target: string;
  /** The request's `name=value` pairs (the account's left out) and its first word, e.g. `PROVISION`. */
  readonly fields: Readonly<Record<string, string>>;
}

/** How one side names processors and switches: from its own settings, since the rehearsal's point at sinkholes. */
export interface SideNaming {
  /** Gateway host → processor name. */
  readonly processorByHost: ReadonlyMap<string, string>;
  /** `host:port` of each switch, in the platform's order. */
  readonly switchTargets: readonly string[];
}

/**
 * What one bill run sent, per account (mail, provisioning) and per invoice (charges), reduced to
 * what the outbound differential compares. Built from a sinkhole ledger one entry at a time.
 */
export class OutboundRecord {
  /**
   * `ledger`: every attempt as a sinkhole saw it. `database`: what the platform recorded, i.e. only
   * approved charges, mail without subjects, and no provisioning requests.
   */
  source: 'ledger' | 'database' = 'ledger';
  readonly mailByAccount = new Map<string, MailSent[]>();
  readonly unattributedMail: MailSent[] = [];
  readonly chargesByInvoice = new Map<string, ChargeSent[]>();
  /** Charges that name no invoice, compared by account. */
  readonly chargesWithoutInvoice: ChargeSent[] = [];
  readonly provisioningByAccount = new Map<string, ProvisioningSent[]>();
  unattributedProvisioning = 0;
  /** One string per subject class, shared by every message of that class (a million invoices, one class). */
  private readonly subjectClasses = new Map<string, string>();

  constructor(private readonly naming: SideNaming) {}

  add(entry: LedgerEntry): void {
    switch (entry.kind) {
      case 'mail': {
        const invoice = invoiceIn(entry.subject);
        const mail: MailSent = { to: entry.to.map((a) => a.toLowerCase()).sort(), subjectClass: this.shared(subjectClass(entry.subject)), ...(invoice ? { invoice } : {}) };
        if (entry.account === undefined) this.unattributedMail.push(mail);
        else pushTo(this.mailByAccount, entry.account, mail);
        return;
      }
      case 'payment': {
        const charge: ChargeSent = {
          ...(entry.account !== undefined ? { account: entry.account } : {}),
          ...(entry.invoice !== undefined ? { invoice: entry.invoice } : {}),
          processor: this.naming.processorByHost.get(entry.destination.host.toLowerCase()) ?? entry.destination.host,
          ...(entry.amountCents !== undefined ? { amountCents: entry.amountCents } : {}),
          ...(entry.currency !== undefined ? { currency: entry.currency.toUpperCase() } : {}),
          approved: entry.approved,
        };
        if (entry.invoice === undefined) this.chargesWithoutInvoice.push(charge);
        else pushTo(this.chargesByInvoice, entry.invoice, charge);
        return;
      }
      case 'provisioning': {
        if (entry.account === undefined) {
          this.unattributedProvisioning++;
          return;
        }
        const destination = `${entry.destination.host}:${entry.destination.port}`.toLowerCase();
        const index = this.naming.switchTargets.indexOf(destination);
        const target = index >= 0 ? `switch ${index + 1}` : destination;
        pushTo(this.provisioningByAccount, entry.account, { target, fields: requestFields(Buffer.from(entry.firstBytes.hex, 'hex').toString('latin1')) });
        return;
      }
      case 'tls':
        return;
    }
  }

  private shared(text: string): string {
    const known = this.subjectClasses.get(text);
    if (known !== undefined) return known;
    this.subjectClasses.set(text, text);
    return text;
  }
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Reads a ledger file (entries at or after `since`) into a record. */
export function outboundFromLedger(file: string, naming: SideNaming, since?: string): OutboundRecord {
  const record = new OutboundRecord(naming);
  forEachLedgerEntry(file, since, (entry) => record.add(entry));
  return record;
}

export function subjectClass(subject: string): string {
  let text = subject;
  for (let invoice = invoiceIn(text); invoice !== undefined; invoice = invoiceIn(text)) text = text.replace(invoice, '<invoice>');
  return text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/** `name=value` pairs of a request line, plus its first word when that is not a pair; the account is the key, not a field. */
export function requestFields(text: string): Record<string, string> {
  const line = text.split(/\r?\n/)[0] ?? '';
  const fields: Record<string, string> = {};
  const first = /^\s*([A-Za-z][\w-]*)(?=\s|$)/.exec(line)?.[1];
  if (first !== undefined) fields.request = first;
  for (const match of line.matchAll(/([A-Za-z_][\w-]*)=(\S+)/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined && name !== 'account') fields[name] = value;
  }
  return fields;
}

/** The fields as one comparable string, names sorted. */
export function fieldsKey(request: ProvisioningSent): string {
  const names = Object.keys(request.fields).sort();
  return `${request.target} ${names.map((n) => `${n}=${request.fields[n] ?? ''}`).join(' ')}`;
}
