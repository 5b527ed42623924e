import { rehearseSwitches } from './outbound-switch-cases.js';

/** Payments in the wrong currency, or approved and never booked. */
rehearseSwitches([
  { fault: 'charge-wrong-currency', account: 'ACC-000001', failing: [{ check: 'outbound-payments', summary: /currency differs/ }] },
  { fault: 'payment-not-recorded', account: 'ACC-000001', failing: [{ check: 'ledger-payments-recorded', summary: /approved, not recorded as a payment/ }] },
]);
