import { unexplainedPackets, type EgressCounters } from '../sandbox/nftables.js';
import type { CheckResult } from './types.js';

/**
 * The kernel's own count, not the platform's word: packets that left the sandbox by any
 * interface but loopback while the bill run ran, other than those the policy let through to the
 * database server (SQL Server plans) and ARP on that link. Anything else fails the rehearsal.
 */
export function checkNothingLeft(before: EgressCounters, after: EgressCounters): CheckResult {
  const left = unexplainedPackets(before, after);
  const toDatabase = after.leftPackets - before.leftPackets;
  const denied = after.deniedPackets - before.deniedPackets;
  const ok = after.policyInstalled && left === 0;
  const database = toDatabase > 0 ? `, ${toDatabase} to the database server (the one destination allowed)` : '';
  return {
    id: 'no-egress-during-bill-run',
    title: 'No packet left the sandbox during the bill run',
    status: ok ? 'passed' : 'failed',
    summary: ok
      ? `0 packets left by a non-loopback interface${database}; ${denied} packet(s) stopped by the default-deny policy`
      : `${left} packet(s) left the sandbox by a non-loopback interface${database}${after.policyInstalled ? '' : ' and the default-deny policy was gone'}`,
    evidence: [{ 'packets out (non-loopback)': left, 'packets to the database': toDatabase, 'packets denied': denied, 'policy in place': after.policyInstalled }],
  };
}
