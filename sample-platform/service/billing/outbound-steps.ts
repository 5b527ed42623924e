import { addMonths, monthOf } from '../../shared/dates.js';
import { formatCents } from '../../shared/money.js';
import type { PlatformDatabase } from '../database/port.js';
import type { InvoiceMailer } from '../outbound/email.js';
import { charge } from '../outbound/payments.js';
import type { ChargeRequest } from '../outbound/payments.js';
import { sendProvisioningLine } from '../outbound/provisioning.js';
import { describeError } from '../outbound/reachability.js';
import type { Reachability } from '../outbound/reachability.js';
import type { Fault } from '../releases.js';
import type { PlatformSettings } from '../settings.js';
import { STATEMENTS as S } from '../statements.js';
import type { BilledInvoice } from './account-biller.js';

/** The built-in sender a release falls back to when it ignores `smtp.from` (`mail-from-default-sender`) or resets it (`sender-setting-migrated`, `sender-setting-reset-after-mail`). */
export const DEFAULT_SENDER = 'noreply@billing-platform.invalid';
/** The currency the `mail-wrong-currency` regression writes in the mail, whatever the platform bills in. */
const WRONG_MAIL_CURRENCY = 'EUR';

export interface OutboundSwitches {
  readonly emailInvoices: boolean;
  readonly chargeAutoPay: boolean;
  readonly provision: boolean;
}

/** The `mail-skipped-after-render-error` fault: about one invoice in this many fails to render. */
const RENDER_FAILURE_EVERY = 50;

/** The `render-warnings-few` fault: this many mailed invoices get one render warning more than production logs. */
const EXTRA_RENDER_WARNINGS = 3;

/** The `missing-email-warnings-few` fault: this many mailed invoices also log "no e-mail address on file". */
const EXTRA_MISSING_EMAIL_WARNINGS = 3;

/** A database change an outbound step asks for; applied later, many in one transaction. */
export type ResultWrite = (tx: PlatformDatabase, now: string) => Promise<void>;

interface PaymentMethod {
  readonly kind: 'card' | 'echeck';
  readonly processor: string;
  readonly card_token: string | null;
  readonly card_last4: string | null;
  readonly card_expiry: string | null;
  readonly bank_routing_number: string | null;
}

/**
 * What happens outside the database after an invoice exists: switches are provisioned, the
 * invoice is mailed, auto-pay is charged. Every failure becomes a warning; none stops the run.
 */
export class OutboundSteps {
  private mailed = 0;
  private senderReset = false;
  private extraRenderWarnings = 0;
  private extraMissingEmailWarnings = 0;

  constructor(
    private readonly settings: PlatformSettings,
    private readonly switches: OutboundSwitches,
    private readonly faults: ReadonlySet<Fault>,
    private readonly reach: Reachability,
    private readonly mailer: InvoiceMailer,
    private readonly billDate: string,
  ) {}

  /** Reads what each step needs now (inside the account's transaction), returns the network work to do later. */
  async tasksFor(tx: PlatformDatabase, invoice: BilledInvoice, writes: ResultWrite[]): Promise<(() => Promise<void>)[]> {
    const tasks: (() => Promise<void>)[] = [];
    if (this.switches.provision) tasks.push(...(await this.provisioningTasks(tx, invoice, writes)));
    if (this.switches.emailInvoices) tasks.push(...(await this.emailTasks(tx, invoice, writes)));
    const autoPay = invoice.autoPay || this.faults.has('charge-without-auto-pay');
    if (this.switches.chargeAutoPay && autoPay && invoice.totalCents > 0) tasks.push(...(await this.paymentTasks(tx, invoice, writes)));
    return tasks;
  }

  private warn(writes: ResultWrite[], module: string, action: string, accountId: number, message: string): void {
    writes.push(async (tx, now) => {
      // Each warning written three times: the log grows well beyond production's for the same events.
      const copies = this.faults.has('warnings-logged-thrice') ? 3 : 1;
      for (let copy = 0; copy < copies; copy++) await tx.run(S.insertEvent, now, 'warning', module, action, 'failed', accountId, message);
    });
  }

  private async provisioningTasks(tx: PlatformDatabase, invoice: BilledInvoice, writes: ResultWrite[]): Promise<(() => Promise<void>)[]> {
    const pending = await tx.all<{ id: number; code: string }>(S.pendingProvisioning, invoice.accountId);
    if (this.faults.has('provisioning-failed')) {
      for (const pkg of pending) {
        this.warn(writes, 'Provisioning', 'Activate', invoice.accountId, `${pkg.code} not sent: could not open a provisioning session`);
      }
      return [];
    }
    const action = this.faults.has('provision-suspend') ? 'suspend' : 'activate';
    const [firstHost] = this.settings.provisioningHosts;
    const hosts = this.faults.has('provision-one-switch') && firstHost ? this.settings.provisioningHosts.map(() => firstHost) : this.settings.provisioningHosts;
    return pending.map((pkg, index) => async () => {
      const line = `PROVISION account=${invoice.accountNumber} package=${pkg.code} action=${action}\n`;
      try {
        if (index === 0 || !this.faults.has('provision-first-package-only')) {
          for (const host of hosts) await sendProvisioningLine(this.reach, host, line);
        }
        // The switch got the request, but the package stays pending and is sent again next month.
        if (!this.faults.has('provisioning-left-pending')) {
          writes.push(async (tx) => {
            await tx.run(S.markProvisioned, pkg.id);
          });
        }
      } catch (error) {
        this.warn(writes, 'Provisioning', 'Activate', invoice.accountId, `${pkg.code}: ${describeError(error)}`);
      }
    });
  }

  private async emailTasks(tx: PlatformDatabase, invoice: BilledInvoice, writes: ResultWrite[]): Promise<(() => Promise<void>)[]> {
    if (this.faults.has('mail-tax-exempt-skipped') && invoice.taxExempt) return [];
    if (this.faults.has('mail-skipped-after-render-error') && this.mailed++ % RENDER_FAILURE_EVERY === 0) {
      writes.push(async (tx, now) => {
        await tx.run(S.insertEvent, now, 'warning', 'Invoices', 'Render', 'failed', invoice.accountId, `${invoice.invoiceNumber}: template field PaymentTerms not found`);
      });
      return [];
    }
    const secondaryFirst = this.faults.has('mail-wrong-contact') || this.faults.has('mail-contact-overwritten');
    const contact = await tx.get<{ email: string }>(secondaryFirst ? S.secondaryFirstEmail : S.primaryEmail, invoice.accountId);
    if (!contact) {
      this.warn(writes, 'Email', 'Send', invoice.accountId, `${invoice.invoiceNumber}: no e-mail address on file`);
      return [];
    }
    // Defaults saved back once the first invoice is mailed: this run's mail is right, the next run's is not.
    if (this.faults.has('sender-setting-reset-after-mail') && !this.senderReset) {
      this.senderReset = true;
      writes.push(async (tx) => {
        await tx.run(S.setMailSender, DEFAULT_SENDER);
      });
    }
    if (this.faults.has('mail-contact-overwritten')) {
      writes.push(async (tx) => {
        await tx.run(S.overwritePrimaryEmail, contact.email, invoice.accountId);
      });
    }
    // A data-only warning filed under the mail kind: the invoice is still mailed, only the log differs.
    if (this.faults.has('missing-email-warnings-few') && this.extraMissingEmailWarnings < EXTRA_MISSING_EMAIL_WARNINGS) {
      this.extraMissingEmailWarnings++;
      this.warn(writes, 'Email', 'Send', invoice.accountId, `${invoice.invoiceNumber}: no e-mail address on file`);
    }
    // The invoice template has no eCheck remittance slip: every release, production's too, warns for
    // each mailed eCheck auto-pay invoice, so production's bill run logs this kind of warning too.
    const method = invoice.autoPay ? await tx.get<PaymentMethod>(S.defaultPaymentMethod, invoice.accountId) : undefined;
    if (method?.kind === 'echeck') {
      writes.push(async (tx, now) => {
        await tx.run(S.insertEvent, now, 'warning', 'Invoices', 'Render', 'failed', invoice.accountId, `${invoice.invoiceNumber}: template has no eCheck remittance slip; rendered without it`);
      });
    }
    if (this.faults.has('render-warnings-few') && this.extraRenderWarnings < EXTRA_RENDER_WARNINGS) {
      this.extraRenderWarnings++;
      writes.push(async (tx, now) => {
        await tx.run(S.insertEvent, now, 'warning', 'Invoices', 'Render', 'failed', invoice.accountId, `${invoice.invoiceNumber}: template field ServicePeriod not found; rendered without it`);
      });
    }
    const total = formatCents(this.faults.has('mail-amount-before-tax') ? invoice.beforeTaxCents : invoice.totalCents, this.faults.has('mail-wrong-currency') ? WRONG_MAIL_CURRENCY : this.settings.currency);
    const text =
      `Your invoice ${invoice.invoiceNumber} for account ${invoice.accountNumber} is ready.\n\n` +
      `Amount due: ${total}\nBill date: ${this.faults.has('mail-stale-bill-date') ? addMonths(this.billDate, -1) : this.billDate}\n\nThank you for your business.\n`;
    return [
      async () => {
        try {
          await this.mailer.send({
            to: this.faults.has('mail-fixed-address') ? this.settings.smtp.from : contact.email,
            subject: `${this.faults.has('mail-subject-statement') ? 'Statement' : 'Invoice'} ${invoice.invoiceNumber}`,
            text,
            ...(this.faults.has('mail-from-default-sender') ? { from: DEFAULT_SENDER } : {}),
          });
        } catch (error) {
          this.warn(writes, 'Email', 'Send', invoice.accountId, `${invoice.invoiceNumber}: ${describeError(error)}`);
        }
      },
    ];
  }

  private async paymentTasks(tx: PlatformDatabase, invoice: BilledInvoice, writes: ResultWrite[]): Promise<(() => Promise<void>)[]> {
    const own = await tx.get<PaymentMethod>(S.defaultPaymentMethod, invoice.accountId);
    if (!own) return [];
    // The regression a mixed-up token lookup makes: the next account's card, where it is one through the same processor.
    const other = this.faults.has('charge-card-of-next-account') && own.kind === 'card' ? await tx.get<PaymentMethod>(S.defaultPaymentMethod, invoice.accountId + 1) : undefined;
    const method = other !== undefined && other.kind === 'card' && other.processor === own.processor ? { ...own, card_token: other.card_token, card_last4: other.card_last4 } : own;
    if (method.kind === 'echeck' && this.faults.has('echeck-auto-pay-skipped')) return [];
    if (method.kind === 'card' && method.card_expiry !== null && method.card_expiry < monthOf(this.billDate) && !this.faults.has('charge-expired-cards')) {
      this.warn(writes, 'Payments', 'Charge', invoice.accountId, `card expired (${method.card_expiry}), ${invoice.invoiceNumber} not charged`);
      return [];
    }
    const gateway = this.settings.gateways.get(method.processor);
    if (!gateway) {
      this.warn(writes, 'Payments', 'Charge', invoice.accountId, `no gateway configured for processor ${method.processor}`);
      return [];
    }
    const currency = this.faults.has('charge-wrong-currency') ? 'EUR' : this.settings.currency;
    const common = { invoice: invoice.invoiceNumber, amount_cents: invoice.totalCents, currency, ...(this.faults.has('charge-authorize-only') ? { capture: false as const } : {}) };
    const body: ChargeRequest =
      method.kind === 'card'
        ? { ...common, token: method.card_token ?? '', last4: method.card_last4 ?? '' }
        : { ...common, routing_last4: (method.bank_routing_number ?? '').slice(-4) };
    const sending = {
      credentials: !this.faults.has('charge-without-credentials'),
      ...(this.faults.has('charge-without-idempotency-key') ? {} : { idempotencyKey: this.faults.has('charge-same-idempotency-key') ? `bill-run-${this.billDate}` : invoice.invoiceNumber }),
    };
    return [
      async () => {
        try {
          const outcome = await charge(this.reach, gateway, body, sending);
          // A retry after an answer taken as slow, with a key of its own, charges odd-cent invoices a second time.
          if (this.faults.has('charge-twice') && invoice.totalCents % 2 === 1) await charge(this.reach, gateway, body, { ...sending, idempotencyKey: `${invoice.invoiceNumber}-retry` });
          if (outcome.approved && this.faults.has('payment-not-recorded')) return;
          if (outcome.approved) {
            writes.push(async (tx, now) => {
              await tx.run(S.insertTransaction, invoice.accountId, 'payment', -invoice.totalCents, invoice.invoiceNumber, now);
              await tx.run(S.addToBalance, -invoice.totalCents, invoice.accountId);
            });
          } else if (!this.faults.has('decline-not-logged')) {
            this.warn(writes, 'Payments', 'Charge', invoice.accountId, `${method.processor}: ${outcome.reason}`);
          }
        } catch (error) {
          this.warn(writes, 'Payments', 'Charge', invoice.accountId, `${method.processor}: ${describeError(error)}`);
        }
      },
    ];
  }
}
