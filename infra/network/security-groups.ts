import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';
import type { PortOnProtocol } from './nacl-rules.js';

export interface SecurityGroupsInput {
  readonly name: string;
  readonly releaseCandidate: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly s3PrefixListId: pulumi.Input<string>;
  readonly databasePort: number;
  /** Ports the sinkholes on the rehearsal host listen on (gateways, SMTP, switches). */
  readonly sinkholePorts: readonly PortOnProtocol[];
  /** Allowlisted egress: HTTP(S) to anywhere, filtered by the Network Firewall. */
  readonly internetHttps: boolean;
  readonly parent: pulumi.Resource;
}

export interface SecurityGroups {
  readonly endpoints: aws.ec2.SecurityGroup;
  readonly rehearsalHost: aws.ec2.SecurityGroup;
  readonly database: aws.ec2.SecurityGroup;
  readonly appHost: aws.ec2.SecurityGroup;
}

type Peer = { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> } | { prefixListId: pulumi.Input<string> };

/**
 * The only flows the rehearsal needs, all inside the VPC: hosts to the SSM endpoints, hosts to
 * the database, the app host to the sinkholes, the rehearsal host to S3 through the gateway
 * endpoint. Groups are created without inline rules so no default allow-all egress survives.
 */
export function createSecurityGroups(input: SecurityGroupsInput): SecurityGroups {
  const opts = { parent: input.parent };
  const group = (role: string, description: string): aws.ec2.SecurityGroup =>
    new aws.ec2.SecurityGroup(
      `${input.name}-${role}`,
      { vpcId: input.vpcId, description, tags: releaseCandidateTags(input.releaseCandidate, `${input.name}-${role}`) },
      opts,
    );
  const groups: SecurityGroups = {
    endpoints: group('endpoints', 'SSM interface endpoints, reachable from inside the VPC only'),
    rehearsalHost: group('rehearsal-host', 'Rehearsal host: sinkholes and the rehearsal scripts'),
    database: group('database', 'Copied billing database, reachable from the rehearsal and app hosts only'),
    appHost: group('app-host', 'Billing platform under rehearsal'),
  };

  const rule = (direction: 'in' | 'out', label: string, groupId: pulumi.Input<string>, protocol: string, port: number | undefined, peer: Peer): void => {
    const args = {
      securityGroupId: groupId,
      ipProtocol: protocol,
      ...(port === undefined ? {} : { fromPort: port, toPort: port }),
      ...peer,
      description: label,
      tags: releaseCandidateTags(input.releaseCandidate),
    };
    const ruleName = `${input.name}-${label}`;
    if (direction === 'in') new aws.vpc.SecurityGroupIngressRule(ruleName, args, opts);
    else new aws.vpc.SecurityGroupEgressRule(ruleName, args, opts);
  };
  const vpc = { cidrIpv4: input.vpcCidr };
  const s3 = { prefixListId: input.s3PrefixListId };
  const ref = (g: aws.ec2.SecurityGroup): Peer => ({ referencedSecurityGroupId: g.id });

  rule('in', 'endpoints-https-from-vpc', groups.endpoints.id, 'tcp', 443, vpc);

  for (const [role, sg] of [['rehearsal-host', groups.rehearsalHost], ['app-host', groups.appHost]] as const) {
    rule('out', `${role}-https-to-endpoints`, sg.id, 'tcp', 443, ref(groups.endpoints));
    rule('out', `${role}-https-to-s3`, sg.id, 'tcp', 443, s3);
    rule('out', `${role}-sql-to-database`, sg.id, 'tcp', input.databasePort, ref(groups.database));
    rule('in', `database-sql-from-${role}`, groups.database.id, 'tcp', input.databasePort, ref(sg));
    if (input.internetHttps) {
      rule('out', `${role}-https-to-allowlist`, sg.id, 'tcp', 443, { cidrIpv4: '0.0.0.0/0' });
      rule('out', `${role}-http-to-allowlist`, sg.id, 'tcp', 80, { cidrIpv4: '0.0.0.0/0' });
    }
  }

  for (const { protocol, port } of input.sinkholePorts) {
    rule('out', `app-host-to-sinkhole-${protocol}-${port}`, groups.appHost.id, protocol, port, ref(groups.rehearsalHost));
    rule('in', `sinkhole-${protocol}-${port}-from-app-host`, groups.rehearsalHost.id, protocol, port, ref(groups.appHost));
  }
  return groups;
}
