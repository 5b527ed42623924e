import { command } from './command.js';

/** One table per namespace, inside the namespace, so deleting the namespace can never leave it behind. */
export const NFT_TABLE = 'rehearsal';
const NFT_ARP_TABLE = 'rehearsal_arp';

/** The one destination a sandbox may reach outside itself: the database server, over the veth link. */
export interface AllowedDestination {
  readonly address: string;
  readonly port: number;
  /** The sandbox end of the veth link; the allowance holds on no other interface. */
  readonly interface: string;
}

function ruleset(allow: AllowedDestination | undefined): string {
  const family = allow && allow.address.includes(':') ? 'ip6' : 'ip';
  return [
    `table inet ${NFT_TABLE} {`,
    '  counter left {}',
    '  counter denied {}',
    '  chain output {',
    '    type filter hook output priority filter; policy drop;',
    '    oif "lo" accept',
    ...(allow
      ? [`    oifname "${allow.interface}" ${family} daddr ${allow.address} tcp dport ${allow.port} counter name left accept`]
      : []),
    // Reject rather than drop: the sender learns at once (EHOSTUNREACH), so a probe never has to
    // wait out a timeout to tell "blocked" from "went somewhere".
    '    counter name denied reject with icmpx type admin-prohibited',
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif "lo" accept',
    ...(allow ? [`    iifname "${allow.interface}" ct state established,related accept`] : []),
    '  }',
    '}',
    // ARP is not seen by inet tables; it is counted so the interface's transmit count can be
    // fully accounted for: database packets + address resolution on the link, nothing else.
    ...(allow
      ? [`table arp ${NFT_ARP_TABLE} {`, '  counter resolution {}', '  chain output {', '    type filter hook output priority filter; policy accept;', '    counter name resolution', '  }', '}']
      : []),
    '',
  ].join('\n');
}

/**
 * Default-deny egress for the namespace: loopback (where the sinkholes are) is allowed, and at
 * most the database's address and port over the veth link; everything else is counted and rejected.
 */
export async function applyEgressPolicy(namespace: string, allow?: AllowedDestination): Promise<void> {
  await command('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], ruleset(allow));
}

export interface EgressCounters {
  /** Whether the sandbox's default-deny table is there at all. */
  readonly policyInstalled: boolean;
  /** Packets that went out by an interface other than loopback (only ever to the allowed database). */
  readonly leftPackets: number;
  /** Packets the policy dropped: something in the sandbox tried to leave. */
  readonly deniedPackets: number;
  /** ARP packets the sandbox sent on the database link (address resolution for the link's host end). */
  readonly resolutionPackets: number;
  /** Transmitted packets of every interface but loopback, as the kernel counts them. */
  readonly interfaceTxPackets: number;
}

/**
 * Packets the kernel sent out of the sandbox between two readings that were neither to the
 * allowed database nor address resolution on its link: must be 0.
 */
export function unexplainedPackets(before: EgressCounters, after: EgressCounters): number {
  const tx = after.interfaceTxPackets - before.interfaceTxPackets;
  return tx - (after.leftPackets - before.leftPackets) - (after.resolutionPackets - before.resolutionPackets);
}

export async function readEgressCounters(namespace: string): Promise<EgressCounters> {
  type Listing = { nftables: { counter?: { family: string; table: string; name: string; packets: number } }[] };
  let nft: Listing | undefined;
  try {
    nft = JSON.parse(await command('ip', ['netns', 'exec', namespace, 'nft', '-j', 'list', 'counters'])) as Listing;
  } catch {
    nft = undefined;
  }
  const find = (family: string, table: string, name: string) =>
    nft?.nftables.find((o) => o.counter?.family === family && o.counter.table === table && o.counter.name === name)?.counter;
  const counter = (name: string): number => find('inet', NFT_TABLE, name)?.packets ?? 0;
  const policyInstalled = find('inet', NFT_TABLE, 'denied') !== undefined;
  const links = JSON.parse(await command('ip', ['-n', namespace, '-j', '-s', 'link', 'show'])) as {
    ifname: string;
    stats64?: { tx?: { packets?: number } };
  }[];
  const interfaceTxPackets = links.filter((l) => l.ifname !== 'lo').reduce((sum, l) => sum + (l.stats64?.tx?.packets ?? 0), 0);
  return {
    policyInstalled,
    leftPackets: counter('left'),
    deniedPackets: counter('denied'),
    resolutionPackets: find('arp', NFT_ARP_TABLE, 'resolution')?.packets ?? 0,
    interfaceTxPackets,
  };
}
