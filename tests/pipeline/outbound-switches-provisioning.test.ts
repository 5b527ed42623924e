import { rehearseSwitches } from './outbound-switch-cases.js';

/**
 * Provisioning that reaches the switches, but not as production's did; the unchanged candidate,
 * on the same sample, gives GO with every outbound check passed.
 */
rehearseSwitches(
  [
    { fault: 'provision-suspend', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /action differ/ }] },
    {
      fault: 'provision-first-package-only',
      failing: [
        { check: 'outbound-provisioning', summary: /requests not sent/ },
        { check: 'ledger-provisioning-recorded', summary: /marked done, no request reached a switch/ },
      ],
    },
    { fault: 'provision-one-switch', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /switch differ/ }] },
  ],
  { unchanged: true },
);
