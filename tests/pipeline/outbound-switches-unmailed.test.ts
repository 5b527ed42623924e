import { rehearseSwitches } from './outbound-switch-cases.js';

/** Invoices silently not mailed: production mailed them, and the database still counts them mailed. */
rehearseSwitches([
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
