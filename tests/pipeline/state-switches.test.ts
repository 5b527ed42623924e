import { rehearseSwitches } from './outbound-switch-cases.js';

/**
 * State the bill run wrote wrongly where no field-level check looks: only the state differential
 * (every table against production's change) can catch these, so it must.
 */
rehearseSwitches([
  { fault: 'usage-left-unrated', failing: [{ check: 'state-differential', summary: /usage_records\.rated/ }] },
  { fault: 'invoice-transaction-missing', failing: [{ check: 'state-differential', summary: /transactions\.only-in-production/ }] },
  { fault: 'invoice-subtotal-net-of-discount', account: 'ACC-000001', failing: [{ check: 'state-differential', summary: /invoices\.subtotal_cents/ }] },
  { fault: 'provisioning-left-pending', account: 'ACC-000001', failing: [{ check: 'state-differential', summary: /user_packages\.provisioning_status/ }] },
]);
