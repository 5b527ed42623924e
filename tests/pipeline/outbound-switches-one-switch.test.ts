import { rehearseSwitches } from './outbound-switch-cases.js';

/** Everything to one switch gives NO-GO; the unchanged candidate, on the same sample, gives GO. */
rehearseSwitches([{ fault: 'provision-one-switch', account: 'ACC-000001', failing: [{ check: 'outbound-provisioning', summary: /switch differ/ }] }], { unchanged: true });
