/**
 * What the Pulumi program needs to build a rehearsal environment, independent of where it was
 * read from (stack config, a plan file, a test).
 */
import type * as pulumi from '@pulumi/pulumi';
import { UserError } from '../src/errors.js';
import type { EgressCatalogue } from '../src/egress/types.js';
import { cidrsOverlap, isValidCidr } from './cidr.js';
import type { BakSource, SnapshotSource } from './database/billing-database.js';
import { sinkholedDomains } from './network/dns-domains.js';

export interface EgressSettings {
  readonly policy: 'deny-all' | 'allowlist';
  readonly allowlist: readonly string[];
  readonly mailServers: readonly string[];
  readonly switches: readonly { readonly host: string; readonly ports: readonly number[] }[];
  readonly switchCidrs: readonly string[];
}

/** The plan file named by `rehearsal:plan`: the one source of the release candidate, its egress and the host's plan. */
export interface AwsPlanSource {
  /** Absolute path on the operator's machine. */
  readonly path: string;
  /** Path inside the bundle (relative to the project root), where the host runs it from. */
  readonly fileInBundle: string;
  /** The file's text; the host gets it with `database.server` set to the RDS endpoint. */
  readonly text: string;
}

export interface AwsStackSettings {
  readonly target: 'aws';
  /** Pulumi stack name; the deterministic resource names derive from it. */
  readonly stackName: string;
  readonly releaseCandidate: string;
  readonly plan: AwsPlanSource;
  readonly region: string;
  readonly availabilityZones: readonly [string, string];
  readonly vpcCidr: string;
  readonly internalZoneName: string;
  readonly naclRuleLimit: number;
  readonly sinkholeResponse: 'sinkhole' | 'nxdomain';
  readonly egress: EgressSettings;
  readonly database: {
    readonly source: SnapshotSource | BakSource;
    readonly instanceClass: string;
    readonly masterUsername: string;
    readonly masterPassword: pulumi.Input<string>;
    readonly databaseName: string;
    /** The plan's `database.connectionStringEnv`. */
    readonly connectionStringEnv: string;
  };
  readonly rehearsalHost: {
    readonly instanceType: string;
    readonly bundlePath: string;
    /** Pinned Amazon Linux 2023 AMI: a newer image must not replace the host (and re-run the restore) by itself. */
    readonly imageId: string;
  };
  readonly appHost?: { readonly imageId: string; readonly instanceType: string };
}

export interface LocalStackSettings {
  readonly target: 'local';
  readonly releaseCandidate: string;
  readonly planPath: string;
  /** Digest of the plan file: editing the plan re-runs the stages. */
  readonly planDigest: string;
  readonly projectDir: string;
}

export type StackSettings = AwsStackSettings | LocalStackSettings;

/** Refuses settings that would weaken isolation, before any resource is declared. */
export function checkIsolation(settings: AwsStackSettings, catalogue: EgressCatalogue): void {
  const { egress } = settings;
  if (!isValidCidr(settings.vpcCidr)) {
    throw new UserError(`\`rehearsal:vpcCidr\` is ${settings.vpcCidr}, which is not an IPv4 CIDR block such as 10.213.0.0/16.`);
  }
  const prefix = Number(settings.vpcCidr.split('/')[1]);
  if (prefix < 16 || prefix > 24) {
    throw new UserError(`\`rehearsal:vpcCidr\` is ${settings.vpcCidr}; use a block from /16 to /24 so it holds four subnets (two private, and the egress subnets when allowlisted).`);
  }
  for (const cidr of egress.switchCidrs) {
    if (!isValidCidr(cidr)) throw new UserError(`Switch network ${cidr} in the plan's \`egress.switchCidrs\` is not an IPv4 CIDR block such as 198.51.100.0/24.`);
    if (cidrsOverlap(cidr, settings.vpcCidr)) {
      throw new UserError(
        `The rehearsal VPC ${settings.vpcCidr} overlaps the switch network ${cidr}, so the VPC's local route would reach addresses of a switch. ` +
          'Choose a `rehearsal:vpcCidr` that shares no address with any switch network.',
      );
    }
  }
  if (egress.policy === 'deny-all' && egress.allowlist.length > 0) {
    throw new UserError('The plan lists `egress.allowlist` domains but its policy is deny-all. Set `egress.policy: allowlist` to use them, or remove the list.');
  }
  if (egress.policy === 'allowlist' && egress.allowlist.length === 0) {
    throw new UserError('The plan declares `egress.policy: allowlist` but `egress.allowlist` is empty. List the domains the release needs, or use deny-all.');
  }
  const forbidden = sinkholedDomains(catalogue, egress.mailServers).filter((d) => !d.startsWith('*.'));
  for (const domain of egress.allowlist) {
    const bare = domain.replace(/^\*\./, '').toLowerCase();
    const clash = forbidden.find((host) => host === bare || host.endsWith(`.${bare}`));
    if (clash !== undefined) {
      throw new UserError(
        `The egress allowlist entry ${domain} would let the rehearsal reach ${clash}, a payment gateway or mail server from the egress catalogue. ` +
          'Remove it from `egress.allowlist`; those hosts are always answered by the sinkhole.',
      );
    }
  }
}
