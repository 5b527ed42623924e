import type { LedgerEntry } from '../sinkholes/ledger.js';
import { MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

/**
 * Did the release provision what it should have? Expected: every billed account with a pending
 * package change (read before the bill run); captured: what reached the switch sinkholes.
 */
export function checkProvisioning(expectedAccounts: readonly string[], ledger: readonly LedgerEntry[], provisioningEnabled: boolean): CheckResult {
  const base = { id: 'provisioning', title: 'Every pending package change was provisioned to the switches, and nothing else' };
  const captured = new Set(ledger.filter((e) => e.kind === 'provisioning' && e.account !== undefined).map((e) => e.account as string));
  const attempts = ledger.filter((e) => e.kind === 'provisioning').length;
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
      ? `${missing.length} of ${expected.size} account(s) with pending changes were not provisioned; ${unexpected.length} account(s) were provisioned without a pending change`
      : `${expected.size} account(s) provisioned as expected (${attempts} switch connection(s) captured)`,
    ...(failed ? { affectedAccounts: affected.slice(0, MAX_LISTED_ACCOUNTS), affectedCount: affected.length } : {}),
    evidence: [
      { expected: expected.size, provisioned: captured.size, missing: missing.length, unexpected: unexpected.length, 'switch connections': attempts },
    ],
  };
}
