/**
 * The fault switches the sample platform's candidate release documents (sample-platform/README.md).
 * Listed here so a plan naming an unknown one fails validation before anything runs.
 */
export const SAMPLE_PLATFORM_FAULTS: readonly string[] = [
  'yearly-next-bill-date-not-advanced',
  'discount-dropped',
  'pool-minutes-per-child',
  'rounding-half-down',
  'event-log-error',
  'provisioning-failed',
  'usage-left-unrated',
  'invoice-transaction-missing',
  'invoice-subtotal-net-of-discount',
  'provisioning-left-pending',
  'transaction-reference-missing',
  // Verdict-accuracy switches (issue 14: event log, permissions, bill-run completeness, cause grouping).
  'exception-logged-as-warning',
  'read-only-role-gains-permissions',
  'batch-last-account-skipped',
  'yearly-advanced-one-month',
  // Outbound regressions: what the candidate sends (mail, charges, provisioning) or records of it.
  'mail-fixed-address',
  'mail-wrong-contact',
  'mail-tax-exempt-skipped',
  'mail-skipped-after-render-error',
  'charge-twice',
  'charge-expired-cards',
  'charge-without-auto-pay',
  'echeck-auto-pay-skipped',
  'charge-wrong-currency',
  'payment-not-recorded',
  'provision-suspend',
  'provision-first-package-only',
  'provision-one-switch',
  'warnings-logged-thrice',
  'mail-subject-statement',
];
