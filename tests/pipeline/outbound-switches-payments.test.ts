import { rehearseSwitches } from './outbound-switch-cases.js';

/** Charges auto-pay must not make, charges it skips, and approvals never booked. One sample for all. */
rehearseSwitches([
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
]);
