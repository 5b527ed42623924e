import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { gatewayHosts } from '../egress/catalogue.js';
import type { EgressCatalogue } from '../egress/types.js';
import type { EgressPlan } from '../plan/types.js';
import { command } from './command.js';

/** `ip netns exec` bind-mounts every file in this folder over /etc for processes in the namespace. */
export const NETNS_ETC = '/etc/netns';

/** Sinkhole addresses are handed out from here; the whole 127/8 is local on loopback. */
const SINKHOLE_NET = [127, 77];

/** Which address each name resolves to inside the sandbox, and the addresses that must be local there. */
export interface HostMap {
  /** Host name → sinkhole address (one per name, so the ledger can tell which name was used). */
  readonly addresses: Readonly<Record<string, string>>;
  /** IP literals and CIDRs from the plan and settings, made local inside the namespace so they land in sinkholes. */
  readonly localRanges: readonly string[];
}

function stripHost(value: string): string | undefined {
  let text = value.trim();
  if (text === '') return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      text = new URL(text).hostname;
    } catch {
      return undefined;
    }
  }
  text = text.replace(/^\[(.*)\](:\d+)?$/, '$1');
  if (isIP(text) === 0) text = text.replace(/:\d+$/, '');
  text = text.replace(/\.$/, '').toLowerCase();
  return isIP(text) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(text) ? text : undefined;
}

/**
 * Host names and addresses inside the platform's setting values: URLs, `host:port`, and
 * comma-separated lists of them (e.g. `192.0.2.10:2208,192.0.2.11:5060`). Values that name no
 * host (numbers, keys, e-mail addresses) are left out.
 */
export function hostsInSettings(values: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const value of values) {
    for (const part of value.split(/[,\s]+/)) {
      if (part.includes('@') || /^\d+$/.test(part)) continue;
      const host = stripHost(part);
      if (host !== undefined && (isIP(host) !== 0 || /\.[a-z][a-z0-9-]*$/.test(host))) hosts.add(host);
    }
  }
  return [...hosts];
}

/**
 * Gives every name its own sinkhole address. With `previous`, names already mapped keep their
 * address (processes may have resolved them) and new names get the next free ones.
 */
export function buildHostMap(catalogue: EgressCatalogue, egress: EgressPlan, platformHosts: readonly string[], previous?: HostMap): HostMap {
  const names = new Set<string>();
  const localRanges = new Set<string>();
  const candidates = [...gatewayHosts(catalogue), ...egress.mailServers, ...egress.switches.map((s) => s.host), ...platformHosts];
  for (const candidate of candidates) {
    const host = stripHost(candidate);
    if (host === undefined) continue;
    if (isIP(host) === 4) localRanges.add(`${host}/32`);
    else if (isIP(host) === 0) names.add(host);
  }
  for (const cidr of egress.switchCidrs) if (isIP(cidr.split('/')[0] ?? '') === 4) localRanges.add(cidr);
  for (const range of previous?.localRanges ?? []) localRanges.add(range);
  const addresses: Record<string, string> = { ...previous?.addresses };
  let next = Object.keys(addresses).length + 2;
  for (const name of [...names].sort()) {
    if (addresses[name] !== undefined) continue;
    addresses[name] = `${SINKHOLE_NET[0]}.${SINKHOLE_NET[1]}.${Math.floor(next / 254)}.${(next % 254) + 1}`;
    next += 1;
  }
  return { addresses, localRanges: [...localRanges] };
}

/** Address → host name, for the sinkhole to say which name a connection was meant for. */
export function hostsByAddress(map: HostMap): Record<string, string> {
  return Object.fromEntries(Object.entries(map.addresses).map(([name, address]) => [address, name]));
}

/**
 * Writes the namespace's hosts, resolv.conf and nsswitch.conf: every mapped name resolves to its
 * sinkhole, any other name fails fast (the only name server is a closed port on the sandbox's own
 * loopback), and name lookups never go through a host daemon such as systemd-resolved.
 */
export function writeNetnsEtc(namespace: string, map: HostMap, fixed: Readonly<Record<string, string>> = {}): string {
  const dir = join(NETNS_ETC, namespace);
  mkdirSync(dir, { recursive: true });
  // `fixed` names (the database server, reached through the veth link) are never mapped to a sinkhole as well.
  const lines = [
    '127.0.0.1 localhost',
    '::1 localhost',
    ...Object.entries(fixed).map(([name, address]) => `${address} ${name}`),
    ...Object.entries(map.addresses)
      .filter(([name]) => fixed[name] === undefined)
      .map(([name, address]) => `${address} ${name}`),
  ];
  writeFileSync(join(dir, 'hosts'), `# Rehearsal sandbox ${namespace}: every external name points at a sinkhole.\n${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files dns\nnetworks: files\n');
  return dir;
}

export function removeNetnsEtc(namespace: string): void {
  rmSync(join(NETNS_ETC, namespace), { recursive: true, force: true });
}

/** Makes the plan's switch addresses and CIDRs local inside the namespace (AnyIP), so they land in the sinkholes. */
export async function addLocalRanges(namespace: string, ranges: readonly string[]): Promise<void> {
  for (const range of ranges) {
    await command('ip', ['-n', namespace, 'route', 'add', 'local', range, 'dev', 'lo', 'table', 'local']);
  }
}
