import { createHash } from 'node:crypto';
import { command, commandQuietly } from './command.js';

/** A point-to-point link between the host and one sandbox, for a database server running outside it. */
export interface VethLink {
  /** Host end, named `rh<hash>h`; found and removed by destroy even after a crash. */
  readonly hostInterface: string;
  readonly sandboxInterface: string;
  readonly hostAddress: string;
  readonly sandboxAddress: string;
}

/** Names and a link-local /30 derived from the namespace, so a rerun or destroy finds the same link. */
export function vethFor(namespace: string): VethLink {
  const digest = createHash('sha256').update(namespace).digest();
  const tag = digest.toString('hex').slice(0, 8);
  const third = digest.readUInt8(4) % 254 + 1;
  const fourth = (digest.readUInt8(5) % 63) * 4;
  return {
    hostInterface: `rh${tag}h`,
    sandboxInterface: `rh${tag}s`,
    hostAddress: `169.254.${third}.${fourth + 1}`,
    sandboxAddress: `169.254.${third}.${fourth + 2}`,
  };
}

/**
 * Creates the link. A database address off the link (not the host end) gets a host route through
 * it; the host must then forward to that server, which is the operator's choice, not ours.
 */
export async function createVeth(namespace: string, databaseAddress?: string): Promise<VethLink> {
  const link = vethFor(namespace);
  await command('ip', ['link', 'add', link.hostInterface, 'type', 'veth', 'peer', 'name', link.sandboxInterface, 'netns', namespace]);
  await command('ip', ['addr', 'add', `${link.hostAddress}/30`, 'dev', link.hostInterface]);
  await command('ip', ['link', 'set', link.hostInterface, 'up']);
  // No IPv6 on the link: its autoconfiguration would send router solicitations and MLD reports,
  // packets the egress check would have to tell apart from a leak.
  await command('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', `net.ipv6.conf.${link.sandboxInterface}.disable_ipv6=1`]);
  await command('ip', ['-n', namespace, 'addr', 'add', `${link.sandboxAddress}/30`, 'dev', link.sandboxInterface]);
  await command('ip', ['-n', namespace, 'link', 'set', link.sandboxInterface, 'up']);
  if (databaseAddress !== undefined && databaseAddress !== link.hostAddress) {
    await command('ip', ['-n', namespace, 'route', 'add', `${databaseAddress}/32`, 'via', link.hostAddress]);
  }
  return link;
}

/** Removes the host end (which takes the sandbox end with it); fine when it is already gone. */
export async function deleteVeth(namespace: string): Promise<boolean> {
  return commandQuietly('ip', ['link', 'delete', vethFor(namespace).hostInterface]);
}
