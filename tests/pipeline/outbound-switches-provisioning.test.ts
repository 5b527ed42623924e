import { rehearseSwitches } from './outbound-switch-cases.js';

/** Provisioning that reaches the switches, but not as production's did. */
rehearseSwitches([
  { fault: 'provision-suspend', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /action differ/ }] },
  {
    fault: 'provision-first-package-only',
    failing: [
      { check: 'outbound-provisioning', summary: /requests not sent/ },
      { check: 'ledger-provisioning-recorded', summary: /marked done, no request reached a switch/ },
    ],
  },
]);
