import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { Attribution } from '../sinkholes/attribution.js';
import type { SideNaming } from './outbound-record.js';

/** How one database's settings name its processors and switches (hosts differ between the sides by design). */
export async function sideNaming(engine: DatabaseEngine, profile: Profile): Promise<SideNaming> {
  const processorByHost = new Map<string, string>();
  for (const row of profile.has('paymentProcessors') ? await profile.query(engine, 'paymentProcessors', {}) : []) {
    try {
      processorByHost.set(new URL(row.url).hostname.toLowerCase(), row.processor);
    } catch {
      // A value that is not a URL names no host to recognise.
    }
  }
  const targets = profile.has('switchTargets') ? await profile.query(engine, 'switchTargets', {}) : [];
  return { processorByHost, switchTargets: targets.sort((a, b) => a.position - b.position).map((t) => switchTarget(t.target)), attribution: new Attribution(profile.outbound) };
}

/** `host:port` lower-cased, an IPv6 host without its brackets, as the ledger names a destination. */
function switchTarget(target: string): string {
  return target.trim().toLowerCase().replace(/^\[(.*)\](:\d+)$/, '$1$2');
}
