import type { SwitchCase } from './outbound-switch-cases.js';

/** Charges auto-pay must not make, charges it skips, approvals never booked, another customer's card charged, authorizations never captured, and charges without the gateway's credentials. */
export const PAYMENT_SWITCHES: readonly SwitchCase[] = [
  {
    fault: 'charge-twice',
    failing: [
      { check: 'outbound-payments', summary: /charged 2 times/ },
      { check: 'ledger-payments-recorded', summary: /approved, not recorded as a payment/ },
    ],
  },
  { fault: 'charge-expired-cards', account: 'ACC-000008', failing: [{ check: 'outbound-payments', summary: /charged although card expired/ }] },
  { fault: 'charge-without-auto-pay', failing: [{ check: 'outbound-payments', summary: /charged although auto-pay is off/ }] },
  { fault: 'echeck-auto-pay-skipped', account: 'ACC-000011', failing: [{ check: 'outbound-payments', summary: /not charged/ }] },
  { fault: 'charge-wrong-currency', account: 'ACC-000001', failing: [{ check: 'outbound-payments', summary: /currency differs/ }] },
  { fault: 'payment-not-recorded', account: 'ACC-000001', failing: [{ check: 'ledger-payments-recorded', summary: /approved, not recorded as a payment/ }] },
  { fault: 'charge-card-of-next-account', failing: [{ check: 'outbound-payments', summary: /charged a card other than the account's default/ }] },
  { fault: 'charge-authorize-only', account: 'ACC-000001', failing: [{ check: 'outbound-payments', summary: /request fields differ/ }] },
  // charge-without-idempotency-key takes the same path (request headers differ); the mutants rehearse it.
  { fault: 'charge-without-credentials', account: 'ACC-000001', failing: [{ check: 'outbound-payments', summary: /request headers differ/ }] },
];

/** Invoices mailed to someone other than the customer production mailed, silently not mailed, stating another amount than the invoice, or sent from another sender than the settings name. */
export const MAIL_SWITCHES: readonly SwitchCase[] = [
  { fault: 'mail-fixed-address', account: 'ACC-000001', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
  { fault: 'mail-wrong-contact', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
  // The masked forms are those recorded before the bill run: read after it, the overwritten address would look like production's.
  { fault: 'mail-contact-overwritten', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
  {
    fault: 'mail-tax-exempt-skipped',
    failing: [
      { check: 'outbound-mail', summary: /not mailed/ },
      { check: 'ledger-mail-recorded', summary: /marked mailed, no message/ },
    ],
  },
  {
    fault: 'mail-skipped-after-render-error',
    account: 'ACC-000001',
    failing: [
      { check: 'outbound-mail', summary: /not mailed/ },
      { check: 'ledger-mail-recorded', summary: /marked mailed, no message/ },
    ],
  },
  { fault: 'mail-amount-before-tax', account: 'ACC-000001', failing: [{ check: 'ledger-mail-amounts', summary: /amount in the mail differs from the invoice/ }] },
  { fault: 'mail-wrong-currency', account: 'ACC-000001', failing: [{ check: 'ledger-mail-amounts', summary: /currency in the mail differs from the billing currency/ }] },
  { fault: 'currency-setting-migrated', account: 'ACC-000001', failing: [{ check: 'ledger-mail-amounts', summary: /currency in the mail differs from the billing currency/ }] },
  { fault: 'mail-from-default-sender', failing: [{ check: 'ledger-mail-sender', summary: /came from noreply@billing-platform\.invalid, not from/ }] },
  { fault: 'sender-setting-reset-after-mail', namesNoAccount: true, failing: [{ check: 'ledger-mail-sender', summary: /but the bill run changed the setting to noreply@billing-platform\.invalid: the next bill run would mail from that/ }] },
  { fault: 'sender-setting-migrated', failing: [{ check: 'ledger-mail-sender', summary: /named before the bill run \(the bill run changed the setting to noreply@billing-platform\.invalid\)/ }] },
];

/** Provisioning that reaches the switches, but not as production's did. */
export const PROVISIONING_SWITCHES: readonly SwitchCase[] = [
  { fault: 'provision-suspend', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /action differ/ }] },
  {
    fault: 'provision-first-package-only',
    failing: [
      { check: 'outbound-provisioning', summary: /requests not sent/ },
      { check: 'ledger-provisioning-recorded', summary: /marked done, no request reached a switch/ },
    ],
  },
  { fault: 'provision-one-switch', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /switch differ/ }] },
];
