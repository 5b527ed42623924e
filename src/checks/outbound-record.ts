import { forEachLedgerEntry, type LedgerEntry } from '../sinkholes/ledger.js';
import { Attribution } from '../sinkholes/attribution.js';
import { IntColumn, NumberColumn, StringColumn, StringIds } from '../compact/columns.js';
import { Chains } from '../compact/chains.js';
import type { MailFold, MaskedHashes } from './outbound-mail-fold.js';
import { centsOfStatedAmount } from './money.js';

/** One message as the outbound differential compares it. */
export interface MailSent {
  /** Recipients, lower-cased. */
  readonly to: readonly string[];
  /** The subject with invoice numbers and digits taken out: "Invoice <invoice>"; absent where only a database recorded the message. */
  readonly subjectClass?: string;
  readonly invoice?: string;
  /** The amount the message says is due, as written (`outbound.amountPattern`). */
  readonly amountStated?: string;
  /** The currency it states with the amount (the pattern's `currency` group), upper-cased. */
  readonly currencyStated?: string;
}

/** One charge request to a payment processor. */
export interface ChargeSent {
  readonly account?: string;
  readonly invoice?: string;
  /** The processor's name from the side's own settings, else the host it reached. */
  readonly processor: string;
  readonly amountCents?: number;
  readonly currency?: string;
  /** The card's last four digits the request carried (none for a bank payment or a token alone). */
  readonly last4?: string;
  /** What was asked of the gateway: method and path, digits as `#` (`POST /v1/charges`); none where a database recorded the charge. */
  readonly endpoint?: string;
  /** The body's field names and yes/no values (`amount_cents,capture=false,…`); none where the ledger predates it or a database recorded the charge. */
  readonly form?: string;
  /** The request headers that change what a gateway does (`authorization=bearer,idempotency-key,…`); none where the ledger predates them or a database recorded the charge. */
  readonly headers?: string;
  /** The idempotency key's digest (13 hex digits); none where the charge sent no key, the ledger predates it or a database recorded the charge. */
  readonly idempotencyKey?: string;
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
  /** How the platform's messages name an invoice (its adapter's `outbound.invoicePattern`); none: no invoice is recognised. */
  readonly attribution?: Attribution;
}

/** Account and invoice numbers, numbered once for both sides: the same number from either ledger is stored once. */
export class OutboundKeys {
  readonly accounts = new StringIds();
  readonly invoices = new StringIds();
  /** Processor names, currencies, subject classes, switch targets and request fields: few distinct values, the same id on both sides. */
  readonly labels = new StringIds();
}

/**
 * What a record keeps of the mail: every message (`kept`), only each account's fold (`folded`:
 * production's side needs the masked forms), or only the messages of some accounts and nothing
 * else (`only`: a second reading, for the accounts whose folds differ).
 */
export type MailKeeping =
  | { readonly kind: 'kept' }
  | { readonly kind: 'folded'; readonly fold: MailFold; readonly side: 'rehearsal' }
  | { readonly kind: 'folded'; readonly fold: MailFold; readonly side: 'production'; readonly masked: MaskedHashes }
  | { readonly kind: 'only'; readonly accounts: Uint8Array };

const KEPT: MailKeeping = { kind: 'kept' };

const NONE = -1;
const HAS_AMOUNT = 1;
const APPROVED = 2;

/** Distinct envelope senders kept apart; a platform sending from one address per message (VERP) folds into OTHER_SENDERS past it. */
const MAX_SENDERS = 100;
export const OTHER_SENDERS = '(other senders)';

/** How many messages came from one envelope sender, and the first account among them. */
export interface SenderTally {
  messages: number;
  example: string | undefined;
}

/** Per invoice, what the messages naming it said (`mailedInvoices`). */
const MAILED = 1;
const SOME_STATE_NO_AMOUNT = 2;
const STATES_AMOUNT = 4;
const AMOUNTS_DIFFER = 8;
const CURRENCIES_DIFFER = 16;

/**
 * What the messages naming an invoice said it amounts to. `cents`: the first amount stated (NaN
 * when it was not a number); undefined when none of them states one.
 */
export interface StatedAmount {
  readonly cents: number | undefined;
  /** Two messages naming the invoice stated different amounts. */
  readonly differing: boolean;
  /** Some message naming the invoice stated no amount. */
  readonly someWithout: boolean;
  /** The first currency a message naming it stated with its amount, upper-cased; undefined when none stated one. */
  readonly currency: string | undefined;
  /** Two messages naming the invoice stated different currencies. */
  readonly currencyDiffering: boolean;
}

/**
 * What one bill run sent, per account (mail, provisioning) and per invoice (charges), reduced to
 * what the outbound differential compares. Built from a sinkhole ledger one entry at a time and
 * kept in columns (see src/compact/columns.ts): at a million accounts a message costs tens of bytes
 * outside the heap, where objects per message, per account and per recipient list cost hundreds.
 * Rows come back as objects only for the account or invoice asked for.
 */
export class OutboundRecord {
  /**
   * `ledger`: every attempt as a sinkhole saw it. `database`: what the platform recorded, i.e. only
   * approved charges, mail without subjects, and no provisioning requests.
   */
  source: 'ledger' | 'database' = 'ledger';
  unattributedProvisioning = 0;

  /** The sorted recipients: a lone address as it is, else (or when it starts with `[`) as JSON. */
  private readonly mailTo = new StringColumn();
  private readonly mailSubject = new IntColumn();
  private readonly mailInvoice = new IntColumn();
  private readonly mailChains = new Chains();
  private readonly unattributedMailRows = new IntColumn();
  /** Per invoice id, what the messages naming it said: MAILED, STATES_AMOUNT, … (0: none names it). */
  private readonly mailedInvoices = new IntColumn();
  private mailedInvoiceTotal = 0;
  /** Per invoice id, the first amount a message naming it stated, in cents; grows only where amounts are stated. */
  private readonly statedCents = new NumberColumn();
  /** Per invoice id, the first currency a message naming it stated, as a label id (NONE: none); grows only where currencies are stated. */
  private readonly statedCurrency = new IntColumn();
  /** Envelope senders (lower-cased) of the messages read from a ledger. */
  private readonly senders = new Map<string, SenderTally>();

  private readonly chargeAccount = new IntColumn();
  private readonly chargeInvoice = new IntColumn();
  private readonly chargeProcessor = new IntColumn();
  private readonly chargeAmount = new NumberColumn();
  private readonly chargeCurrency = new IntColumn();
  private readonly chargeFlags = new IntColumn();
  /** The card's last four as a label id, or NONE. */
  private readonly chargeLast4 = new IntColumn();
  /** `ChargeSent.endpoint`, `form` and `headers` as label ids, or NONE. */
  private readonly chargeEndpoint = new IntColumn();
  private readonly chargeForm = new IntColumn();
  private readonly chargeHeaders = new IntColumn();
  /** The idempotency key's digest as a number below 2^52, NaN for none: one label per charge would cost tens of MB at 1M. */
  private readonly chargeKey = new NumberColumn();
  private readonly chargeChains = new Chains();
  private readonly chargesWithoutInvoiceRows = new IntColumn();

  private readonly provisioningTarget = new IntColumn();
  private readonly provisioningFields = new IntColumn();
  private readonly provisioningChains = new Chains();

  private readonly attribution: Attribution;

  constructor(
    private readonly naming: SideNaming,
    /** Shared by the two records a check compares, so that their accounts and invoices pair by id. */
    readonly keys: OutboundKeys = new OutboundKeys(),
    readonly mailKeeping: MailKeeping = KEPT,
    /**
     * Each message's subject class also carries the digest of its text, so a message whose text
     * differs (a wrong date, another template) differs. Only between two sides that mail the same
     * masked data (the candidate and the control run): production's text holds unmasked names.
     */
    private readonly comparesText = false,
  ) {
    this.attribution = naming.attribution ?? new Attribution(undefined);
  }

  add(entry: LedgerEntry): void {
    if (this.mailKeeping.kind === 'only' && entry.kind !== 'mail') return;
    switch (entry.kind) {
      case 'mail': {
        if (this.mailKeeping.kind !== 'only') this.countSender(entry.from, entry.account);
        const invoice = this.attribution.invoiceIn(entry.subject);
        this.addMail(entry.account, {
          to: entry.to.map((a) => a.toLowerCase()).sort(),
          subjectClass: this.comparesText && entry.textDigest !== undefined ? `${subjectClass(entry.subject, this.attribution)} (text ${entry.textDigest})` : subjectClass(entry.subject, this.attribution),
          ...(invoice ? { invoice } : {}),
          ...(entry.amountStated !== undefined ? { amountStated: entry.amountStated } : {}),
          ...(entry.currencyStated !== undefined ? { currencyStated: entry.currencyStated.toUpperCase() } : {}),
        });
        return;
      }
      case 'payment': {
        // Missing fields passed as undefined, which addCharge reads as absent: no spread object per field, for every charge of both ledgers.
        this.addCharge({
          account: entry.account,
          invoice: entry.invoice,
          processor: this.naming.processorByHost.get(entry.destination.host.toLowerCase()) ?? entry.destination.host,
          amountCents: entry.amountCents,
          currency: entry.currency?.toUpperCase(),
          last4: entry.last4,
          endpoint: `${entry.method.toUpperCase()} ${entry.path.replace(/\d+/g, '#')}`,
          form: entry.form,
          headers: entry.headers,
          idempotencyKey: entry.idempotencyKey,
          approved: entry.approved,
        });
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
        const row = this.provisioningTarget.push(this.keys.labels.intern(target));
        this.provisioningFields.push(this.keys.labels.intern(JSON.stringify(requestFields(Buffer.from(entry.firstBytes.hex, 'hex').toString('latin1')))));
        this.provisioningChains.add(this.keys.accounts.intern(entry.account), row);
        return;
      }
      case 'tls':
        return;
    }
  }

  /** One message, for an account or (undefined) for none. */
  addMail(account: string | undefined, mail: MailSent): void {
    const keeping = this.mailKeeping;
    if (keeping.kind === 'only') {
      const id = account === undefined ? NONE : this.keys.accounts.find(account);
      if (id === NONE || keeping.accounts[id] !== 1) return;
    }
    if (keeping.kind === 'folded') {
      // Only the rehearsal's mailed invoices are checked against its database (ledger-consistency).
      if (keeping.side === 'rehearsal') this.markMailed(mail.invoice, mail.amountStated, mail.currencyStated);
      const id = account === undefined ? undefined : this.keys.accounts.intern(account);
      if (keeping.side === 'rehearsal') keeping.fold.addRehearsal(id, mail.to, mail.subjectClass);
      else keeping.fold.addProduction(id, mail.to, mail.subjectClass, keeping.masked);
      return;
    }
    const row = this.mailTo.push(mail.to.length === 1 && !(mail.to[0] as string).startsWith('[') ? (mail.to[0] as string) : JSON.stringify(mail.to));
    this.mailSubject.push(mail.subjectClass === undefined ? NONE : this.keys.labels.intern(mail.subjectClass));
    this.mailInvoice.push(this.markMailed(mail.invoice, mail.amountStated, mail.currencyStated));
    if (account === undefined) this.unattributedMailRows.push(row);
    else this.mailChains.add(this.keys.accounts.intern(account), row);
  }

  private countSender(from: string, account: string | undefined): void {
    const sender = from.toLowerCase();
    const key = this.senders.has(sender) || this.senders.size < MAX_SENDERS ? sender : OTHER_SENDERS;
    const tally = this.senders.get(key);
    if (tally === undefined) this.senders.set(key, { messages: 1, example: account });
    else {
      tally.messages++;
      tally.example ??= account;
    }
  }

  /** Envelope senders of the messages read from a ledger, most messages first. */
  mailSenders(): [string, SenderTally][] {
    return [...this.senders.entries()].sort((a, b) => b[1].messages - a[1].messages || a[0].localeCompare(b[0]));
  }

  /** Notes that a message names the invoice, and the amount and currency it stated; returns the invoice's id. */
  private markMailed(invoiceNumber: string | undefined, amountStated: string | undefined, currencyStated: string | undefined): number {
    if (invoiceNumber === undefined) return NONE;
    const invoice = this.keys.invoices.intern(invoiceNumber);
    this.mailedInvoices.extendTo(invoice + 1, 0);
    let said = this.mailedInvoices.get(invoice);
    if (said === 0) this.mailedInvoiceTotal++;
    said |= MAILED;
    if (amountStated === undefined) said |= SOME_STATE_NO_AMOUNT;
    else {
      const cents = centsOfStatedAmount(amountStated) ?? Number.NaN;
      this.statedCents.extendTo(invoice + 1, Number.NaN);
      if ((said & STATES_AMOUNT) === 0) this.statedCents.set(invoice, cents);
      else if (!Object.is(this.statedCents.get(invoice), cents)) said |= AMOUNTS_DIFFER;
      said |= STATES_AMOUNT;
    }
    if (currencyStated !== undefined) {
      const currency = this.keys.labels.intern(currencyStated);
      this.statedCurrency.extendTo(invoice + 1, NONE);
      const first = this.statedCurrency.get(invoice);
      if (first === NONE) this.statedCurrency.set(invoice, currency);
      else if (first !== currency) said |= CURRENCIES_DIFFER;
    }
    this.mailedInvoices.set(invoice, said);
    return invoice;
  }

  addCharge(charge: ChargeSent): void {
    if (this.mailKeeping.kind === 'only') return;
    const row = this.chargeAccount.push(charge.account === undefined ? NONE : this.keys.accounts.intern(charge.account));
    const invoice = charge.invoice === undefined ? NONE : this.keys.invoices.intern(charge.invoice);
    this.chargeInvoice.push(invoice);
    this.chargeProcessor.push(this.keys.labels.intern(charge.processor));
    this.chargeAmount.push(charge.amountCents ?? 0);
    this.chargeCurrency.push(charge.currency === undefined ? NONE : this.keys.labels.intern(charge.currency));
    this.chargeFlags.push((charge.amountCents !== undefined ? HAS_AMOUNT : 0) | (charge.approved ? APPROVED : 0));
    this.chargeLast4.push(charge.last4 === undefined ? NONE : this.keys.labels.intern(charge.last4));
    this.chargeEndpoint.push(charge.endpoint === undefined ? NONE : this.keys.labels.intern(charge.endpoint));
    this.chargeForm.push(charge.form === undefined ? NONE : this.keys.labels.intern(charge.form));
    this.chargeHeaders.push(charge.headers === undefined ? NONE : this.keys.labels.intern(charge.headers));
    this.chargeKey.push(charge.idempotencyKey !== undefined && /^[0-9a-f]{13}$/.test(charge.idempotencyKey) ? parseInt(charge.idempotencyKey, 16) : Number.NaN);
    if (invoice === NONE) this.chargesWithoutInvoiceRows.push(row);
    else this.chargeChains.add(invoice, row);
  }

  /** Messages, attributed or not. */
  get mailCount(): number {
    const keeping = this.mailKeeping;
    return keeping.kind === 'folded' ? keeping.fold.messages[keeping.side] : this.mailTo.length;
  }

  get mailAccountCount(): number {
    const keeping = this.mailKeeping;
    return keeping.kind === 'folded' ? keeping.fold.accounts[keeping.side] : this.mailChains.keys;
  }

  private keptMailedInvoices(): void {
    if (this.mailKeeping.kind === 'folded' && this.mailKeeping.side === 'production') throw new Error("production's folded outbound record keeps no mailed invoices");
  }

  /** A folded record holds no message: asking for one is a bug, not an account without mail. */
  private keptMail(): void {
    if (this.mailKeeping.kind === 'folded') throw new Error('this outbound record folded its mail per account and kept no message');
  }

  /** Accounts with at least one message, in no particular order. */
  mailAccounts(): string[] {
    this.keptMail();
    return [...this.mailChains.keysWithRows()].map((id) => this.keys.accounts.get(id));
  }

  /** The account's messages in ledger order; none for an account never mailed. */
  mailOf(account: string): MailSent[] {
    return this.mailOfId(this.keys.accounts.find(account));
  }

  mailOfId(account: number): MailSent[] {
    this.keptMail();
    return this.mailChains.rowsOf(account).map((row) => this.mail(row));
  }

  /** Ids (in `keys.accounts`) of the accounts with at least one message. */
  mailAccountIds(): Iterable<number> {
    this.keptMail();
    return this.mailChains.keysWithRows();
  }

  unattributedMail(): MailSent[] {
    this.keptMail();
    return Array.from({ length: this.unattributedMailRows.length }, (_, i) => this.mail(this.unattributedMailRows.get(i)));
  }

  /** Every message's recipients, attributed or not. */
  forEachRecipientList(visit: (to: readonly string[]) => void): void {
    this.keptMail();
    for (let row = 0; row < this.mailTo.length; row++) visit(this.recipients(row));
  }

  /** Whether some message names the invoice. */
  mailedInvoice(invoice: string): boolean {
    this.keptMailedInvoices();
    const id = this.keys.invoices.find(invoice);
    return id >= 0 && id < this.mailedInvoices.length && (this.mailedInvoices.get(id) & MAILED) !== 0;
  }

  /** What the messages naming the invoice said it amounts to; undefined when no message names it. */
  statedAmountOf(invoice: string): StatedAmount | undefined {
    this.keptMailedInvoices();
    const id = this.keys.invoices.find(invoice);
    const said = id >= 0 && id < this.mailedInvoices.length ? this.mailedInvoices.get(id) : 0;
    if ((said & MAILED) === 0) return undefined;
    return {
      cents: (said & STATES_AMOUNT) !== 0 ? this.statedCents.get(id) : undefined,
      differing: (said & AMOUNTS_DIFFER) !== 0,
      someWithout: (said & SOME_STATE_NO_AMOUNT) !== 0,
      currency: id < this.statedCurrency.length && this.statedCurrency.get(id) !== NONE ? this.keys.labels.get(this.statedCurrency.get(id)) : undefined,
      currencyDiffering: (said & CURRENCIES_DIFFER) !== 0,
    };
  }

  /** Invoices some message names. */
  get mailedInvoiceCount(): number {
    this.keptMailedInvoices();
    return this.mailedInvoiceTotal;
  }

  get chargeCount(): number {
    return this.chargeAccount.length;
  }

  get chargedInvoiceCount(): number {
    return this.chargeChains.keys;
  }

  /** Invoices with at least one charge, in no particular order. */
  chargedInvoices(): string[] {
    return [...this.chargeChains.keysWithRows()].map((id) => this.keys.invoices.get(id));
  }

  /** The invoice's charges in ledger order. */
  chargesOf(invoice: string): ChargeSent[] {
    return this.chargesOfId(this.keys.invoices.find(invoice));
  }

  chargesOfId(invoice: number): ChargeSent[] {
    return this.chargeChains.rowsOf(invoice).map((row) => this.charge(row));
  }

  /**
   * Every approved charge that names an invoice, in ledger order, read from the columns: an object
   * per charge, as `chargesOfId` makes, was over 200 MB of garbage at a million accounts.
   */
  forEachApprovedCharge(visit: (invoice: string, account: string | undefined, amountCents: number) => void): void {
    for (let row = 0; row < this.chargeAccount.length; row++) {
      const flags = this.chargeFlags.get(row);
      const invoice = this.chargeInvoice.get(row);
      if ((flags & APPROVED) === 0 || invoice === NONE) continue;
      const account = this.chargeAccount.get(row);
      visit(this.keys.invoices.get(invoice), account === NONE ? undefined : this.keys.accounts.get(account), flags & HAS_AMOUNT ? this.chargeAmount.get(row) : Number.NaN);
    }
  }

  /** The last four of a card the invoice was charged to other than `last4`, if any; charges carrying no card digits are not counted. */
  otherCardCharged(invoice: string, last4: string): string | undefined {
    const expected = this.keys.labels.find(last4);
    for (const row of this.chargeChains.rowsOf(this.keys.invoices.find(invoice))) {
      const card = this.chargeLast4.get(row);
      if (card !== NONE && card !== expected) return this.keys.labels.get(card);
    }
    return undefined;
  }

  /**
   * Invoices charged with an idempotency key that a charge of another invoice also sent, each with
   * that other invoice: the gateway answers a repeated key with the first charge's answer and never
   * charges the rest. Retries of one invoice under one key are what the key is for.
   */
  invoicesSharingIdempotencyKey(): { readonly invoice: string; readonly account?: string; readonly other: string }[] {
    const rows: number[] = [];
    for (let row = 0; row < this.chargeKey.length; row++) if (!Number.isNaN(this.chargeKey.get(row)) && this.chargeInvoice.get(row) !== NONE) rows.push(row);
    rows.sort((a, b) => this.chargeKey.get(a) - this.chargeKey.get(b));
    const shared = new Map<number, number>();
    for (let i = 0; i < rows.length; ) {
      let end = i + 1;
      while (end < rows.length && this.chargeKey.get(rows[end] as number) === this.chargeKey.get(rows[i] as number)) end++;
      // A key sent once, the usual case at a million charges, needs no set of its invoices.
      if (end - i > 1) {
        const invoices = [...new Set(rows.slice(i, end).map((row) => this.chargeInvoice.get(row)))];
        if (invoices.length > 1) for (const invoice of invoices) if (!shared.has(invoice)) shared.set(invoice, invoices.find((other) => other !== invoice) as number);
      }
      i = end;
    }
    return [...shared].map(([invoice, other]) => {
      const account = this.chargeAccount.get(this.chargeChains.rowsOf(invoice)[0] as number);
      return { invoice: this.keys.invoices.get(invoice), ...(account !== NONE ? { account: this.keys.accounts.get(account) } : {}), other: this.keys.invoices.get(other) };
    });
  }

  /** Ids (in `keys.invoices`) of the invoices with at least one charge. */
  chargedInvoiceIds(): Iterable<number> {
    return this.chargeChains.keysWithRows();
  }

  /**
   * Whether this record's charges of invoice `id` (only the approved ones with `approvedOnly`) are
   * `production`'s, one for one, in processor, amount, currency, endpoint, form and headers: what the payment
   * check compares, read from the columns without an object per charge. Both records share their keys.
   */
  sameChargesAs(production: OutboundRecord, id: number, approvedOnly: boolean): boolean {
    const theirs = production.chargeChains.rowsOf(id);
    let matched = 0;
    for (const row of this.chargeChains.rowsOf(id)) {
      const flags = this.chargeFlags.get(row);
      if (approvedOnly && (flags & APPROVED) === 0) continue;
      const other = theirs[matched++];
      if (other === undefined) return false;
      const hasAmount = flags & HAS_AMOUNT;
      const theirEndpoint = production.chargeEndpoint.get(other);
      const theirForm = production.chargeForm.get(other);
      const theirHeaders = production.chargeHeaders.get(other);
      if (
        (theirEndpoint !== NONE && this.chargeEndpoint.get(row) !== theirEndpoint) ||
        (theirForm !== NONE && this.chargeForm.get(row) !== theirForm) ||
        (theirHeaders !== NONE && this.chargeHeaders.get(row) !== theirHeaders) ||
        this.chargeProcessor.get(row) !== production.chargeProcessor.get(other) ||
        this.chargeCurrency.get(row) !== production.chargeCurrency.get(other) ||
        hasAmount !== (production.chargeFlags.get(other) & HAS_AMOUNT) ||
        (hasAmount !== 0 && this.chargeAmount.get(row) !== production.chargeAmount.get(other))
      ) {
        return false;
      }
    }
    return matched === theirs.length;
  }

  /**
   * Whether this record sent account `id` the same requests as `production`, in the same order
   * (records sharing their keys): equal requests need no object each; any other order or content
   * is left to the request-by-request comparison.
   */
  sameRequestsAs(production: OutboundRecord, id: number): boolean {
    const mine = this.provisioningChains.rowsOf(id);
    const theirs = production.provisioningChains.rowsOf(id);
    if (mine.length !== theirs.length) return false;
    return mine.every((row, i) => {
      const other = theirs[i] as number;
      return this.provisioningTarget.get(row) === production.provisioningTarget.get(other) && this.provisioningFields.get(row) === production.provisioningFields.get(other);
    });
  }

  /** Charges that name no invoice, in ledger order. */
  chargesWithoutInvoice(): ChargeSent[] {
    return Array.from({ length: this.chargesWithoutInvoiceRows.length }, (_, i) => this.charge(this.chargesWithoutInvoiceRows.get(i)));
  }

  /** Requests that name an account (the unattributed are only counted). */
  get provisioningCount(): number {
    return this.provisioningTarget.length;
  }

  get provisionedAccountCount(): number {
    return this.provisioningChains.keys;
  }

  provisionedAccounts(): string[] {
    return [...this.provisioningChains.keysWithRows()].map((id) => this.keys.accounts.get(id));
  }

  provisioningOf(account: string): ProvisioningSent[] {
    return this.provisioningOfId(this.keys.accounts.find(account));
  }

  provisionedAccountIds(): Iterable<number> {
    return this.provisioningChains.keysWithRows();
  }

  provisioningOfId(account: number): ProvisioningSent[] {
    return this.provisioningChains.rowsOf(account).map((row) => ({
      target: this.keys.labels.get(this.provisioningTarget.get(row)),
      fields: JSON.parse(this.keys.labels.get(this.provisioningFields.get(row))) as Record<string, string>,
    }));
  }

  private recipients(row: number): string[] {
    const stored = this.mailTo.get(row);
    return stored.startsWith('[') ? (JSON.parse(stored) as string[]) : [stored];
  }

  private mail(row: number): MailSent {
    const subject = this.mailSubject.get(row);
    const invoice = this.mailInvoice.get(row);
    return {
      to: this.recipients(row),
      ...(subject !== NONE ? { subjectClass: this.keys.labels.get(subject) } : {}),
      ...(invoice !== NONE ? { invoice: this.keys.invoices.get(invoice) } : {}),
    };
  }

  private charge(row: number): ChargeSent {
    const account = this.chargeAccount.get(row);
    const invoice = this.chargeInvoice.get(row);
    const currency = this.chargeCurrency.get(row);
    const flags = this.chargeFlags.get(row);
    const last4 = this.chargeLast4.get(row);
    const endpoint = this.chargeEndpoint.get(row);
    const form = this.chargeForm.get(row);
    const headers = this.chargeHeaders.get(row);
    const key = this.chargeKey.get(row);
    return {
      ...(account !== NONE ? { account: this.keys.accounts.get(account) } : {}),
      ...(invoice !== NONE ? { invoice: this.keys.invoices.get(invoice) } : {}),
      processor: this.keys.labels.get(this.chargeProcessor.get(row)),
      ...(flags & HAS_AMOUNT ? { amountCents: this.chargeAmount.get(row) } : {}),
      ...(currency !== NONE ? { currency: this.keys.labels.get(currency) } : {}),
      ...(last4 !== NONE ? { last4: this.keys.labels.get(last4) } : {}),
      ...(endpoint !== NONE ? { endpoint: this.keys.labels.get(endpoint) } : {}),
      ...(form !== NONE ? { form: this.keys.labels.get(form) } : {}),
      ...(headers !== NONE ? { headers: this.keys.labels.get(headers) } : {}),
      ...(Number.isNaN(key) ? {} : { idempotencyKey: key.toString(16).padStart(13, '0') }),
      approved: (flags & APPROVED) !== 0,
    };
  }
}

/**
 * Every key (account or invoice) either record has rows for, in string order, with both sides'
 * rows: what the checks walk. Records sharing their keys pair by id and sort the ids in the keys'
 * stored bytes; others (built apart, as in tests) pair by the strings.
 */
export function* pairedInOrder<T>(
  production: OutboundRecord,
  rehearsal: OutboundRecord,
  table: (keys: OutboundKeys) => StringIds,
  ids: (record: OutboundRecord) => Iterable<number>,
  rows: (record: OutboundRecord, id: number) => T[],
): Iterable<[string, T[], T[]]> {
  if (production.keys === rehearsal.keys) {
    const strings = table(production.keys);
    const present = new Uint8Array(strings.size);
    for (const id of ids(production)) present[id] = 1;
    for (const id of ids(rehearsal)) present[id] = 1;
    let count = 0;
    for (const flag of present) count += flag;
    const order = new Int32Array(count);
    for (let id = 0, at = 0; id < present.length; id++) if (present[id] === 1) order[at++] = id;
    // Sorted in place in the strings' bytes: a million keys as JS strings cost tens of MB.
    order.sort((x, y) => strings.compare(x, y));
    for (const id of order) yield [strings.get(id), rows(production, id), rows(rehearsal, id)];
    return;
  }
  const own = (record: OutboundRecord): string[] => [...ids(record)].map((id) => table(record.keys).get(id));
  for (const key of [...new Set([...own(production), ...own(rehearsal)])].sort()) {
    yield [key, rows(production, table(production.keys).find(key)), rows(rehearsal, table(rehearsal.keys).find(key))];
  }
}

/** Reads a ledger file (entries at or after `since`, and before `until`) into a record. */
export function outboundFromLedger(file: string, naming: SideNaming, since?: string, keys?: OutboundKeys, mail?: MailKeeping, options: { readonly until?: string; readonly comparesText?: boolean } = {}): OutboundRecord {
  const record = new OutboundRecord(naming, keys, mail, options.comparesText);
  forEachLedgerEntry(file, since, (entry) => record.add(entry), options.until);
  return record;
}

export function subjectClass(subject: string, attribution: Attribution): string {
  let text = subject;
  for (let invoice = attribution.invoiceIn(text); invoice !== undefined; invoice = attribution.invoiceIn(text)) text = text.replace(invoice, '<invoice>');
  return text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/**
 * `name=value` pairs of a request line (a value may be quoted, as XML attributes are), plus its
 * first word when that is not a pair; the account is the key, not a field.
 */
export function requestFields(text: string): Record<string, string> {
  const line = text.split(/\r?\n/)[0] ?? '';
  const fields: Record<string, string> = {};
  const first = /^\s*([A-Za-z][\w-]*)(?=\s|$)/.exec(line)?.[1];
  if (first !== undefined) fields.request = first;
  for (const match of line.matchAll(/([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|(\S+))/g)) {
    const [, name, doubleQuoted, singleQuoted, bare] = match;
    const value = doubleQuoted ?? singleQuoted ?? bare;
    if (name !== undefined && value !== undefined && name !== 'account') fields[name] = value;
  }
  return fields;
}

/** The fields as one comparable string, names sorted. */
export function fieldsKey(request: ProvisioningSent): string {
  const names = Object.keys(request.fields).sort();
  return `${request.target} ${names.map((n) => `${n}=${request.fields[n] ?? ''}`).join(' ')}`;
}
