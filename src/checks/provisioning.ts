import type { CheckedAttempts } from '../sinkholes/checked-attempts.js';
import { MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

/** Where the expected accounts came from, for the summary. */
export type ProvisioningExpectation = 'declared in the plan' | 'pending package changes';

/**
 * Did the release provision what it should have? Expected: the accounts the plan declares, or else
 * every billed account with a pending package change (read before the bill run); captured: what
 * reached the switch sinkholes.
 */
export function checkProvisioning(
  expectedAccounts: readonly string[],
  ledger: CheckedAttempts,
  provisioningEnabled: boolean,
  source: ProvisioningExpectation = 'pending package changes',
): CheckResult {
  const base = { id: 'provisioning', title: 'Every pending package change was provisioned to the switches, and nothing else' };
  const captured = ledger.provisionedAccounts;
  const attempts = ledger.provisioningAttempts;
  if (!provisioningEnabled) {
    return captured.size === 0
      ? { ...base, status: 'skipped', summary: 'provisioning is off in the plan, and nothing was sent to the switches' }
      : { ...base, status: 'failed', summary: `provisioning is off in the plan, yet ${captured.size} account(s) were provisioned`, affectedAccounts: [...captured].slice(0, MAX_LISTED_ACCOUNTS), affectedCount: captured.size };
  }
  const expected = new Set(expectedAccounts);
  const missing = [...expected].filter((a) => !captured.has(a));
  const unexpected = [...captured].filter((a) => !expected.has(a));
  const failed = missing.length > 0 || unexpected.length > 0;
  const affected = [...missing, ...unexpected];
  return {
    ...base,
    status: failed ? 'failed' : 'passed',
    summary: failed
      ? `${missing.length} of ${expected.size} expected account(s) (${source}) were not provisioned; ${unexpected.length} account(s) were provisioned unexpectedly`
      : `${expected.size} account(s) provisioned as expected from ${source} (${attempts} switch connection(s) captured)`,
    ...(failed ? { affectedAccounts: affected.slice(0, MAX_LISTED_ACCOUNTS), affectedCount: affected.length } : {}),
    evidence: [
      { expected: expected.size, provisioned: captured.size, missing: missing.length, unexpected: unexpected.length, 'switch connections': attempts },
    ],
  };
}
