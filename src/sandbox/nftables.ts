import { command } from './command.js';

/** One table per namespace, inside the namespace, so deleting the namespace can never leave it behind. */
export const NFT_TABLE = 'rehearsal';

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
  /** Transmitted packets of every interface but loopback, as the kernel counts them. */
  readonly interfaceTxPackets: number;
}

export async function readEgressCounters(namespace: string): Promise<EgressCounters> {
  type Listing = { nftables: { counter?: { name: string; packets: number } }[] };
  let nft: Listing | undefined;
  try {
    nft = JSON.parse(await command('ip', ['netns', 'exec', namespace, 'nft', '-j', 'list', 'counters', 'table', 'inet', NFT_TABLE])) as Listing;
  } catch {
    nft = undefined;
  }
  const counter = (name: string): number => nft?.nftables.find((o) => o.counter?.name === name)?.counter?.packets ?? 0;
  const links = JSON.parse(await command('ip', ['-n', namespace, '-j', '-s', 'link', 'show'])) as {
    ifname: string;
    stats64?: { tx?: { packets?: number } };
  }[];
  const interfaceTxPackets = links.filter((l) => l.ifname !== 'lo').reduce((sum, l) => sum + (l.stats64?.tx?.packets ?? 0), 0);
  return { policyInstalled: nft !== undefined, leftPackets: counter('left'), deniedPackets: counter('denied'), interfaceTxPackets };
}
