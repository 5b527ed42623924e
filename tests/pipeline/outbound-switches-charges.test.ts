import { rehearseSwitches } from './outbound-switch-cases.js';

/** Charges auto-pay must not make. */
rehearseSwitches([
  {
    fault: 'charge-twice',
    failing: [
      { check: 'outbound-payments', summary: /charged 2 times/ },
      { check: 'ledger-payments-recorded', summary: /approved, not recorded as a payment/ },
    ],
  },
  { fault: 'charge-expired-cards', account: 'ACC-000008', failing: [{ check: 'outbound-payments', summary: /charged although card expired/ }] },
]);
