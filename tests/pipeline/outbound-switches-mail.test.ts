import { rehearseSwitches } from './outbound-switch-cases.js';

/** Invoices mailed to someone other than the customer production mailed, or silently not mailed. One sample for all. */
rehearseSwitches([
  { fault: 'mail-fixed-address', account: 'ACC-000001', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
  { fault: 'mail-wrong-contact', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
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
]);
