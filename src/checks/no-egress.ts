import type { EgressCounters } from '../sandbox/nftables.js';
import type { CheckResult } from './types.js';

/**
 * The kernel's own count, not the platform's word: packets that left the sandbox by any
 * interface but loopback while the bill run ran. Anything but zero fails the rehearsal.
 */
export function checkNothingLeft(before: EgressCounters, after: EgressCounters): CheckResult {
  const left = after.interfaceTxPackets - before.interfaceTxPackets;
  const denied = after.deniedPackets - before.deniedPackets;
  const ok = after.policyInstalled && left === 0;
  return {
    id: 'no-egress-during-bill-run',
    title: 'No packet left the sandbox during the bill run',
    status: ok ? 'passed' : 'failed',
    summary: ok
      ? `0 packets left by a non-loopback interface; ${denied} packet(s) stopped by the default-deny policy`
      : `${left} packet(s) left the sandbox by a non-loopback interface${after.policyInstalled ? '' : ' and the default-deny policy was gone'}`,
    evidence: [{ 'packets out (non-loopback)': left, 'packets denied': denied, 'policy in place': after.policyInstalled }],
  };
}
