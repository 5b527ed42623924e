import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { subnetCidr } from '../cidr.js';
import { releaseCandidateTags } from '../tags.js';
import { AllowlistedEgress } from './allowlisted-egress.js';
import { DnsFirewall } from './dns-firewall.js';
import { naclRules, type PortOnProtocol } from './nacl-rules.js';
import { createSecurityGroups } from './security-groups.js';

export interface IsolatedNetworkArgs {
  readonly releaseCandidate: string;
  readonly region: string;
  readonly cidrBlock: string;
  /** Two availability zones; RDS needs a subnet group spanning two. */
  readonly availabilityZones: readonly [string, string];
  readonly smtpPorts: readonly number[];
  readonly switchCidrs: readonly string[];
  readonly switchPorts: readonly PortOnProtocol[];
  readonly naclRuleLimit: number;
  readonly sinkholePorts: readonly PortOnProtocol[];
  readonly databasePort: number;
  /** Private hosted zone holding the sinkhole name. */
  readonly internalZoneName: string;
  readonly dns: {
    readonly sinkholedDomains: readonly string[];
    /** Fully qualified sinkhole name; undefined answers catalogue names with NXDOMAIN. */
    readonly sinkholeTarget?: string;
    readonly serviceDomains: readonly string[];
  };
  /** What the S3 gateway endpoint lets through (see `s3EndpointPolicy`). */
  readonly s3Access: S3EndpointAccess;
  /** IAM role ARNs of the hosts: the only principals the SSM interface endpoints serve. */
  readonly endpointPrincipalArns: pulumi.Input<pulumi.Input<string>[]>;
  /** Present only when the plan declares `egress.policy: allowlist`. */
  readonly allowlistedEgress?: { readonly domains: readonly string[] };
}

const INTERFACE_ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages'] as const;

export interface S3EndpointAccess {
  /** The stack's account: the transfer bucket must be owned by it (aws:ResourceAccount). */
  readonly accountId: pulumi.Input<string>;
  readonly transferBucketArn: pulumi.Input<string>;
  /** Object keys (or `prefix*`) of the transfer bucket the hosts read. */
  readonly transferReadKeys: readonly string[];
  /** Object key prefixes (`prefix*`) of the transfer bucket the hosts write. */
  readonly transferWritePrefixes: readonly string[];
  /** AWS-owned buckets (package mirror, SSM agent), read only: their owner accounts are AWS's, so no account condition. */
  readonly awsOwnedReadOnlyObjects: readonly string[];
}

/**
 * The S3 gateway endpoint's policy. Writes go only to the transfer bucket, and only if this
 * account owns it: a bucket name pattern such as `al2023-repos-<region>-*` can be registered by
 * anyone, so it is readable (GetObject) and never writable.
 */
export function s3EndpointPolicy(access: { accountId: string; transferBucketArn: string } & Omit<S3EndpointAccess, 'accountId' | 'transferBucketArn'>): string {
  const inAccount = { StringEquals: { 'aws:ResourceAccount': access.accountId } };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadTransferBucket', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: access.transferReadKeys.map((key) => `${access.transferBucketArn}/${key}`), Condition: inAccount },
      // The SSM agent looks up the bucket's region and encryption before it writes a step's output.
      { Sid: 'LocateTransferBucket', Effect: 'Allow', Principal: '*', Action: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration'], Resource: access.transferBucketArn, Condition: inAccount },
      { Sid: 'WriteTransferBucket', Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: access.transferWritePrefixes.map((prefix) => `${access.transferBucketArn}/${prefix}`), Condition: inAccount },
      { Sid: 'ReadAwsOwnedBuckets', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: [...access.awsOwnedReadOnlyObjects].sort() },
    ],
  });
}

/** An SSM interface endpoint serves only the rehearsal hosts' roles, and only its own service's API. */
export function interfaceEndpointPolicy(service: string, principalArns: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'OnlyRehearsalHosts', Effect: 'Allow', Principal: '*', Action: `${service}:*`, Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': [...principalArns].sort() } } },
    ],
  });
}

/**
 * A VPC that cannot reach the internet or the company's networks: private subnets only, route
 * tables without a default route (unless allowlisted egress is declared), SSM and S3 reached
 * through VPC endpoints, NACL denies for SMTP and switch traffic, and a DNS Firewall that
 * sinkholes the catalogue and answers every other unknown name with NXDOMAIN.
 */
export class IsolatedNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly privateRouteTableIds: pulumi.Output<string>[];
  readonly rehearsalHostSecurityGroupId: pulumi.Output<string>;
  readonly appHostSecurityGroupId: pulumi.Output<string>;
  readonly databaseSecurityGroupId: pulumi.Output<string>;
  readonly internalZoneId: pulumi.Output<string>;
  readonly dnsFirewallRuleGroupId: pulumi.Output<string>;
  readonly egressPolicy: 'deny-all' | 'allowlist';

  constructor(name: string, args: IsolatedNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:network:IsolatedNetwork', name, {}, opts);
    const child = { parent: this };
    const tags = (suffix: string): Record<string, string> => releaseCandidateTags(args.releaseCandidate, `${name}-${suffix}`);
    const subnetPrefix = Number(args.cidrBlock.split('/')[1]) + 4;

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: tags('vpc') },
      child,
    );
    // The default security group of a new VPC allows all egress; strip it so nothing can fall back to it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: tags('default-sg') }, child);

    const subnets = args.availabilityZones.map(
      (zone, index) =>
        new aws.ec2.Subnet(
          `${name}-private-${index + 1}`,
          {
            vpcId: vpc.id,
            availabilityZone: zone,
            cidrBlock: subnetCidr(args.cidrBlock, subnetPrefix, index),
            mapPublicIpOnLaunch: false,
            tags: tags(`private-${index + 1}`),
          },
          child,
        ),
    );
    const routeTables = subnets.map((subnet, index) => {
      const table = new aws.ec2.RouteTable(`${name}-private-${index + 1}`, { vpcId: vpc.id, tags: tags(`private-${index + 1}`) }, child);
      new aws.ec2.RouteTableAssociation(`${name}-private-${index + 1}`, { subnetId: subnet.id, routeTableId: table.id }, child);
      return table;
    });

    const acl = new aws.ec2.NetworkAcl(`${name}-private`, { vpcId: vpc.id, tags: tags('private') }, child);
    subnets.forEach((subnet, index) => {
      new aws.ec2.NetworkAclAssociation(`${name}-private-${index + 1}`, { networkAclId: acl.id, subnetId: subnet.id }, child);
    });
    for (const rule of naclRules({
      vpcCidr: args.cidrBlock,
      smtpPorts: args.smtpPorts,
      switchCidrs: args.switchCidrs,
      switchPorts: args.switchPorts,
      ruleLimit: args.naclRuleLimit,
    })) {
      new aws.ec2.NetworkAclRule(
        `${name}-${rule.egress ? 'out' : 'in'}-${rule.action}-${rule.label}`,
        {
          networkAclId: acl.id,
          ruleNumber: rule.ruleNumber,
          egress: rule.egress,
          ruleAction: rule.action,
          protocol: rule.protocol,
          cidrBlock: rule.cidrBlock,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
        },
        child,
      );
    }

    const s3Endpoint = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: routeTables.map((t) => t.id),
        policy: pulumi
          .all([args.s3Access.accountId, args.s3Access.transferBucketArn])
          .apply(([accountId, transferBucketArn]) => s3EndpointPolicy({ ...args.s3Access, accountId, transferBucketArn })),
        tags: tags('s3'),
      },
      child,
    );

    const groups = createSecurityGroups({
      name,
      releaseCandidate: args.releaseCandidate,
      vpcId: vpc.id,
      vpcCidr: args.cidrBlock,
      s3PrefixListId: s3Endpoint.prefixListId,
      databasePort: args.databasePort,
      sinkholePorts: args.sinkholePorts,
      internetHttps: args.allowlistedEgress !== undefined,
      parent: this,
    });
    for (const service of INTERFACE_ENDPOINTS) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: subnets.map((s) => s.id),
          securityGroupIds: [groups.endpoints.id],
          policy: pulumi.output(args.endpointPrincipalArns).apply((arns) => interfaceEndpointPolicy(service, arns)),
          tags: tags(service),
        },
        child,
      );
    }

    const zone = new aws.route53.Zone(
      `${name}-internal`,
      { name: args.internalZoneName, comment: 'Sinkhole names of the rehearsal', vpcs: [{ vpcId: vpc.id }], forceDestroy: true, tags: tags('internal') },
      child,
    );

    const allowlisted = args.allowlistedEgress?.domains ?? [];
    const firewall = new DnsFirewall(
      `${name}-dns`,
      {
        releaseCandidate: args.releaseCandidate,
        vpcId: vpc.id,
        sinkholedDomains: args.dns.sinkholedDomains,
        ...(args.dns.sinkholeTarget === undefined ? {} : { sinkholeTarget: args.dns.sinkholeTarget }),
        serviceDomains: args.dns.serviceDomains,
        allowlistedDomains: allowlisted,
      },
      child,
    );

    if (args.allowlistedEgress !== undefined) {
      const zoneOfEgress = args.availabilityZones[0];
      new AllowlistedEgress(
        `${name}-egress`,
        {
          releaseCandidate: args.releaseCandidate,
          vpcId: vpc.id,
          availabilityZone: zoneOfEgress,
          natSubnetCidr: subnetCidr(args.cidrBlock, subnetPrefix, 2),
          firewallSubnetCidr: subnetCidr(args.cidrBlock, subnetPrefix, 3),
          privateRouteTableIds: routeTables.map((t) => t.id),
          domains: args.allowlistedEgress.domains,
          blockedCidrs: args.switchCidrs,
        },
        child,
      );
    }

    this.vpcId = vpc.id;
    this.privateSubnetIds = subnets.map((s) => s.id);
    this.privateRouteTableIds = routeTables.map((t) => t.id);
    this.rehearsalHostSecurityGroupId = groups.rehearsalHost.id;
    this.appHostSecurityGroupId = groups.appHost.id;
    this.databaseSecurityGroupId = groups.database.id;
    this.internalZoneId = zone.zoneId;
    this.dnsFirewallRuleGroupId = firewall.ruleGroupId;
    this.egressPolicy = args.allowlistedEgress === undefined ? 'deny-all' : 'allowlist';
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      rehearsalHostSecurityGroupId: this.rehearsalHostSecurityGroupId,
      appHostSecurityGroupId: this.appHostSecurityGroupId,
      databaseSecurityGroupId: this.databaseSecurityGroupId,
      internalZoneId: this.internalZoneId,
      dnsFirewallRuleGroupId: this.dnsFirewallRuleGroupId,
      egressPolicy: this.egressPolicy,
    });
  }
}
