/**
 * The isolation rules of a rehearsal stack as Pulumi policies. They live apart from the
 * PolicyPack constructor (policy/index.ts) so unit tests can call them directly.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { cidrsOverlap } from '../infra/cidr.js';
import { RELEASE_CANDIDATE_TAG } from '../infra/tags.js';

const ANYWHERE_V4 = '0.0.0.0/0';
const ANYWHERE_V6 = '::/0';
const NETWORK_FIREWALL = 'aws:networkfirewall/firewall:Firewall';

type Props = Record<string, unknown>;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Props)[key] : undefined;
}

/** Allowlisted egress is declared exactly when the stack deploys the Network Firewall that enforces it. */
function declaresAllowlistedEgress(resources: readonly PolicyResource[]): boolean {
  return resources.some((r) => r.type === NETWORK_FIREWALL && typeof r.props['firewallPolicyArn'] === 'string');
}

/** Why a resource opens a path to the internet, or undefined when it does not. */
export function internetPath(type: string, props: Props): string | undefined {
  switch (type) {
    case 'aws:ec2/internetGateway:InternetGateway':
    case 'aws:ec2/internetGatewayAttachment:InternetGatewayAttachment':
    case 'aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway':
      return 'an internet gateway';
    case 'aws:ec2/natGateway:NatGateway':
      return 'a NAT gateway';
    case 'aws:ec2/eip:Eip':
      return 'an Elastic IP (public address)';
    case 'aws:ec2/instance:Instance':
      return props['associatePublicIpAddress'] === true ? 'an instance with a public IP' : undefined;
    case 'aws:ec2/subnet:Subnet':
      return props['mapPublicIpOnLaunch'] === true ? 'a subnet that gives instances public IPs' : undefined;
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return list(props['networkInterfaces']).some((n) => field(n, 'associatePublicIpAddress') === true || field(n, 'associatePublicIpAddress') === 'true')
        ? 'a launch template with public IPs'
        : undefined;
    case 'aws:rds/instance:Instance':
      return props['publiclyAccessible'] === true ? 'a publicly accessible database' : undefined;
    case 'aws:ec2/securityGroup:SecurityGroup':
    case 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup':
      return list(props['egress']).some((rule) => strings(field(rule, 'cidrBlocks')).includes(ANYWHERE_V4) || strings(field(rule, 'ipv6CidrBlocks')).includes(ANYWHERE_V6))
        ? 'security-group egress to 0.0.0.0/0'
        : undefined;
    case 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule':
      return props['cidrIpv4'] === ANYWHERE_V4 || props['cidrIpv6'] === ANYWHERE_V6 ? 'security-group egress to 0.0.0.0/0' : undefined;
    case 'aws:ec2/securityGroupRule:SecurityGroupRule':
      return props['type'] === 'egress' && (strings(props['cidrBlocks']).includes(ANYWHERE_V4) || strings(props['ipv6CidrBlocks']).includes(ANYWHERE_V6))
        ? 'security-group egress to 0.0.0.0/0'
        : undefined;
    default:
      return undefined;
  }
}

export const noInternetPath: StackValidationPolicy = {
  name: 'no-internet-path',
  description: 'No internet gateway, NAT, public IP or security-group egress to 0.0.0.0/0 unless allowlisted egress (Network Firewall) is declared.',
  enforcementLevel: 'mandatory',
  validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const allowlisted = declaresAllowlistedEgress(args.resources);
    for (const resource of args.resources) {
      const path = internetPath(resource.type, resource.props);
      // A public database is never acceptable, allowlist or not.
      const alwaysForbidden = resource.type === 'aws:rds/instance:Instance';
      if (path !== undefined && (!allowlisted || alwaysForbidden)) {
        reportViolation(`${resource.name} is ${path}; a rehearsal environment must have no path to the internet unless the plan declares allowlisted egress.`, resource.urn);
      }
    }
  },
};

const PRIVATE_CONNECTIVITY_PREFIXES = ['aws:ec2transitgateway/', 'aws:directconnect/', 'aws:ec2clientvpn/'];
const PRIVATE_CONNECTIVITY_TYPES = new Set([
  'aws:ec2/vpnGateway:VpnGateway',
  'aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment',
  'aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation',
  'aws:ec2/vpnConnection:VpnConnection',
  'aws:ec2/vpnConnectionRoute:VpnConnectionRoute',
  'aws:ec2/customerGateway:CustomerGateway',
  'aws:ec2/vpcPeeringConnection:VpcPeeringConnection',
  'aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter',
  'aws:ec2/peeringConnectionOptions:PeeringConnectionOptions',
]);
const PRIVATE_ROUTE_TARGETS = ['transitGatewayId', 'vpcPeeringConnectionId', 'coreNetworkArn', 'localGatewayId'];

function privateRouteTarget(route: unknown): string | undefined {
  const target = PRIVATE_ROUTE_TARGETS.find((key) => typeof field(route, key) === 'string' && field(route, key) !== '');
  if (target !== undefined) return target;
  const gateway = field(route, 'gatewayId');
  return typeof gateway === 'string' && gateway.startsWith('vgw-') ? 'a VPN gateway' : undefined;
}

export const noPrivateConnectivity: ResourceValidationPolicy = {
  name: 'no-private-connectivity',
  description: 'No VPN, Transit Gateway, Direct Connect or VPC peering in a rehearsal stack: they reach the networks where switches live.',
  enforcementLevel: 'mandatory',
  validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (PRIVATE_CONNECTIVITY_TYPES.has(args.type) || PRIVATE_CONNECTIVITY_PREFIXES.some((p) => args.type.startsWith(p))) {
      reportViolation(`${args.name} (${args.type}) connects the rehearsal to other networks; remove it, the environment must stay isolated.`);
      return;
    }
    const routes = args.type === 'aws:ec2/route:Route' ? [args.props] : args.type.startsWith('aws:ec2/') && args.type.endsWith('RouteTable') ? list(args.props['routes']) : [];
    for (const route of routes) {
      const target = privateRouteTarget(route);
      if (target !== undefined) reportViolation(`${args.name} routes through ${target}, a path to the company's other networks; remove the route.`);
    }
  },
};

export interface SwitchNetworkConfig {
  readonly switchCidrs?: readonly string[];
}

function routeDestinations(resource: PolicyResource): string[] {
  if (resource.type === 'aws:ec2/route:Route') return strings([resource.props['destinationCidrBlock']]);
  if (resource.type === 'aws:ec2/routeTable:RouteTable' || resource.type === 'aws:ec2/defaultRouteTable:DefaultRouteTable') {
    return strings(list(resource.props['routes']).map((r) => field(r, 'cidrBlock')));
  }
  return [];
}

export const noRouteToSwitchNetworks: StackValidationPolicy = {
  name: 'no-route-to-switch-networks',
  description: "No route whose destination covers one of the plan's switch networks.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { switchCidrs: { type: 'array', items: { type: 'string' } } } },
  validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const { switchCidrs } = args.getConfig<SwitchNetworkConfig>();
    if (switchCidrs === undefined) {
      reportViolation('The policy needs the plan\'s switch networks: pass `--policy-pack-config` with {"no-route-to-switch-networks": {"switchCidrs": [...]}} (an empty list if the plan has none).');
      return;
    }
    // The default route of allowlisted egress leads only through the Network Firewall, whose first rule group drops the switch networks.
    const firewalled = declaresAllowlistedEgress(args.resources);
    for (const resource of args.resources) {
      for (const destination of routeDestinations(resource)) {
        if (firewalled && destination === ANYWHERE_V4) continue;
        const covered = switchCidrs.find((cidr) => cidrsOverlap(destination, cidr));
        if (covered !== undefined) reportViolation(`${resource.name} routes ${destination}, which covers the switch network ${covered}; remove the route.`, resource.urn);
      }
    }
  },
};

export const databasePrivateAndEncrypted: ResourceValidationPolicy = {
  name: 'database-private-and-encrypted',
  description: 'The copied billing database is never publicly accessible and always encrypted at rest.',
  enforcementLevel: 'mandatory',
  validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (args.type !== 'aws:rds/instance:Instance' && args.type !== 'aws:rds/cluster:Cluster') return;
    if (args.props['publiclyAccessible'] === true) reportViolation(`${args.name} is publicly accessible; set publiclyAccessible: false.`);
    if (args.props['storageEncrypted'] !== true) reportViolation(`${args.name} does not encrypt its storage; set storageEncrypted: true.`);
  },
};

/** AWS resource types that have no tags (checked against @pulumi/aws 7 argument types). */
const UNTAGGABLE = new Set([
  'aws:ec2/route:Route',
  'aws:ec2/routeTableAssociation:RouteTableAssociation',
  'aws:ec2/networkAclRule:NetworkAclRule',
  'aws:ec2/networkAclAssociation:NetworkAclAssociation',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  'aws:route53/resolverFirewallRule:ResolverFirewallRule',
  'aws:route53/resolverFirewallConfig:ResolverFirewallConfig',
  'aws:route53/record:Record',
  'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  'aws:s3/bucketPolicy:BucketPolicy',
]);

export interface ReleaseCandidateConfig {
  /** When set, the tag must have this value. */
  readonly releaseCandidate?: string;
}

export const taggedWithReleaseCandidate: ResourceValidationPolicy = {
  name: 'tagged-with-release-candidate',
  description: `Every taggable AWS resource carries the ${RELEASE_CANDIDATE_TAG} tag, so cost and clean-up trace to one rehearsal.`,
  enforcementLevel: 'mandatory',
  configSchema: { properties: { releaseCandidate: { type: 'string' } } },
  validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    if (!args.type.startsWith('aws:') || UNTAGGABLE.has(args.type)) return;
    const tags = args.props['tags'];
    const value = field(tags, RELEASE_CANDIDATE_TAG);
    const expected = args.getConfig<ReleaseCandidateConfig>().releaseCandidate;
    if (typeof value !== 'string' || value === '') {
      reportViolation(`${args.name} (${args.type}) has no ${RELEASE_CANDIDATE_TAG} tag; tag it with the release candidate id.`);
    } else if (expected !== undefined && value !== expected) {
      reportViolation(`${args.name} is tagged ${RELEASE_CANDIDATE_TAG}=${value}, but this stack rehearses ${expected}.`);
    }
  },
};

export const rehearsalPolicies = [noInternetPath, noPrivateConnectivity, noRouteToSwitchNetworks, databasePrivateAndEncrypted, taggedWithReleaseCandidate];
