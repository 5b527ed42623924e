/**
 * Which names the Route 53 Resolver DNS Firewall sinkholes, allows and blocks. Kept as data so the
 * tests can prove every catalogue host is covered without reading resource internals.
 */
import type { EgressCatalogue } from '../../src/egress/types.js';

/** Each catalogue host and everything under it (`*.x` does not match `x` itself in DNS Firewall). */
export function sinkholedDomains(catalogue: EgressCatalogue, mailServers: readonly string[] = []): string[] {
  const hosts = [...catalogue.paymentGateways.flatMap((gateway) => gateway.hosts), ...mailServers];
  return sortedUnique(hosts.flatMap((host) => withSubdomains(host)));
}

/**
 * The AWS endpoints the environment itself needs: SSM for management, S3 for the bundle and the
 * Amazon Linux package mirror, RDS endpoint names, EC2 host names and the private sinkhole zone.
 */
export function awsServiceDomains(region: string, internalZoneName: string): string[] {
  const ec2Internal = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return sortedUnique([
    `ssm.${region}.amazonaws.com`,
    `ssmmessages.${region}.amazonaws.com`,
    `ec2messages.${region}.amazonaws.com`,
    ...withSubdomains(`s3.${region}.amazonaws.com`),
    `*.s3.dualstack.${region}.amazonaws.com`,
    `*.${region}.rds.amazonaws.com`,
    ...withSubdomains(ec2Internal),
    ...withSubdomains(internalZoneName),
  ]);
}

export function allowlistedDomains(allowlist: readonly string[]): string[] {
  return sortedUnique(allowlist.flatMap((domain) => withSubdomains(domain)));
}

/** Every name not matched by a higher-priority rule. */
export const EVERY_OTHER_DOMAIN = '*';

function withSubdomains(domain: string): string[] {
  const bare = domain.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
  return [bare, `*.${bare}`];
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
