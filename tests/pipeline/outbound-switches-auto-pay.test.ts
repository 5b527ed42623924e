import { rehearseSwitches } from './outbound-switch-cases.js';

/** Auto-pay applied to the wrong accounts: those without it charged, eCheck ones skipped. */
rehearseSwitches([
  { fault: 'charge-without-auto-pay', failing: [{ check: 'outbound-payments', summary: /charged although auto-pay is off/ }] },
  { fault: 'echeck-auto-pay-skipped', account: 'ACC-000011', failing: [{ check: 'outbound-payments', summary: /not charged/ }] },
]);
