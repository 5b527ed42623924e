import { rehearseSwitches } from './outbound-switch-cases.js';

/** Invoices mailed, but not to the customer production mailed. */
rehearseSwitches([
  { fault: 'mail-fixed-address', account: 'ACC-000001', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
  { fault: 'mail-wrong-contact', failing: [{ check: 'outbound-mail', summary: /recipient differs/ }] },
]);
