/**
 * The isolation rules of a rehearsal stack as Pulumi policies. They live apart from the
 * PolicyPack constructor (policy/index.ts) so unit tests can call them directly.
 */
import { UnknownValueError, type PolicyConfigSchema, type PolicyResource, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy } from '@pulumi/policy';
import { cidrsOverlap } from '../infra/cidr.js';
import { RELEASE_CANDIDATE_TAG } from '../infra/tags.js';

const ANYWHERE_V4 = '0.0.0.0/0';
const ANYWHERE_V6 = '::/0';
const NETWORK_FIREWALL = 'aws:networkfirewall/firewall:Firewall';
const FIREWALL_POLICY = 'aws:networkfirewall/firewallPolicy:FirewallPolicy';

type Props = Record<string, unknown>;

/**
 * A value that is not known until the resource exists (preview). The policy engine's proxy throws
 * when one is read, and a policy that throws becomes advisory for that preview; every read here
 * goes through `field`, which turns the throw into this marker, and each rule decides what an
 * unknown means for it (fail closed where it could hide a path out).
 */
export const UNKNOWN = Symbol('unknown at preview');

function field(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return (value as Record<string | number, unknown>)[key];
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN;
    throw error;
  }
}

function list(value: unknown): unknown[] {
  if (value === UNKNOWN) return [UNKNOWN];
  if (!Array.isArray(value)) return [];
  return Array.from({ length: value.length }, (_, index) => field(value, index));
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

/** True when the value is set (a non-empty string, or unknown until apply). */
function present(value: unknown): boolean {
  return value === UNKNOWN || (typeof value === 'string' && value !== '');
}

export type EgressPolicy = 'deny-all' | 'allowlist';

/** The plan's declared egress policy, passed to the pack as configuration (infra/policy-config.ts writes it from the plan). */
export interface EgressConfig {
  readonly egressPolicy?: EgressPolicy;
}

const EGRESS_CONFIG_SCHEMA: PolicyConfigSchema['properties'] = { egressPolicy: { type: 'string', enum: ['deny-all', 'allowlist'] } };

function declaredEgress(config: EgressConfig, policyName: string, reportViolation: ReportViolation): EgressPolicy | undefined {
  if (config.egressPolicy === 'deny-all' || config.egressPolicy === 'allowlist') return config.egressPolicy;
  reportViolation(
    `The policy needs the plan's declared egress policy: pass \`--policy-pack-config\` with {"${policyName}": {"egressPolicy": "deny-all" | "allowlist"}} ` +
      '(`node --import tsx infra/policy-config.ts <plan>` writes it from the plan).',
  );
  return undefined;
}

/** A boolean switch that is on, or may be on once known. */
function mayBeTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === UNKNOWN;
}

/** Why a resource opens a path to the internet, or undefined when it does not. Unknown values count as open. */
export function internetPath(type: string, props: Props): string | undefined {
  const get = (key: string): unknown => field(props, key);
  const anywhere = (value: unknown, cidr: string): boolean => value === UNKNOWN || value === cidr || strings(value).includes(cidr) || list(value).includes(UNKNOWN);
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
      return mayBeTrue(get('associatePublicIpAddress')) ? 'an instance with a public IP' : undefined;
    case 'aws:ec2/subnet:Subnet':
      return mayBeTrue(get('mapPublicIpOnLaunch')) ? 'a subnet that gives instances public IPs' : undefined;
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return list(get('networkInterfaces')).some((n) => n === UNKNOWN || mayBeTrue(field(n, 'associatePublicIpAddress'))) ? 'a launch template with public IPs' : undefined;
    case 'aws:rds/instance:Instance':
      return mayBeTrue(get('publiclyAccessible')) ? 'a publicly accessible database' : undefined;
    case 'aws:ec2/securityGroup:SecurityGroup':
    case 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup':
      return list(get('egress')).some((rule) => rule === UNKNOWN || anywhere(field(rule, 'cidrBlocks'), ANYWHERE_V4) || anywhere(field(rule, 'ipv6CidrBlocks'), ANYWHERE_V6))
        ? 'security-group egress to 0.0.0.0/0'
        : undefined;
    case 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule':
      return anywhere(get('cidrIpv4'), ANYWHERE_V4) || anywhere(get('cidrIpv6'), ANYWHERE_V6) ? 'security-group egress to 0.0.0.0/0' : undefined;
    case 'aws:ec2/securityGroupRule:SecurityGroupRule':
      return get('type') !== 'ingress' && (anywhere(get('cidrBlocks'), ANYWHERE_V4) || anywhere(get('ipv6CidrBlocks'), ANYWHERE_V6)) ? 'security-group egress to 0.0.0.0/0' : undefined;
    default:
      return undefined;
  }
}

/** What allowlisted egress needs and nothing more: one internet gateway, NAT gateway and its address. */
const ALLOWLIST_GATEWAYS: Record<string, number> = {
  'aws:ec2/internetGateway:InternetGateway': 1,
  'aws:ec2/natGateway:NatGateway': 1,
  'aws:ec2/eip:Eip': 1,
};
const ALLOWLIST_WEB_PORTS = new Set([80, 443]);

/** Under allowlisted egress, security-group egress to anywhere is allowed for HTTP(S) only: the Network Firewall filters those by name. */
function webOnlyEgressRule(type: string, props: Props): boolean {
  if (type !== 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule') return false;
  const from = field(props, 'fromPort');
  return field(props, 'ipProtocol') === 'tcp' && typeof from === 'number' && from === field(props, 'toPort') && ALLOWLIST_WEB_PORTS.has(from) && field(props, 'cidrIpv6') === undefined;
}

function firewallDropsByDefault(props: Props): boolean {
  const actions = strings(field(field(props, 'firewallPolicy'), 'statefulDefaultActions'));
  return actions.includes('aws:drop_established') || actions.includes('aws:drop_strict');
}

export const noInternetPath: StackValidationPolicy = {
  name: 'no-internet-path',
  description:
    'Under the declared deny-all egress: no internet gateway, NAT, Network Firewall, public IP or egress to 0.0.0.0/0. Under declared allowlisted egress: only one IGW, NAT and address behind a dropping Network Firewall, and egress to anywhere on HTTP(S) only.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: EGRESS_CONFIG_SCHEMA },
  validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const egress = declaredEgress(args.getConfig<EgressConfig>(), 'no-internet-path', reportViolation);
    if (egress === undefined) return;
    const allowlisted = egress === 'allowlist';
    const report = (resource: PolicyResource, why: string): void => reportViolation(`${resource.name} is ${why}; ${allowlisted ? 'allowlisted egress allows only HTTP(S) through the Network Firewall' : 'the plan declares deny-all egress'}.`, resource.urn);
    const gateways = new Map<string, number>();
    for (const resource of args.resources) {
      if (resource.type === NETWORK_FIREWALL && !allowlisted) report(resource, 'a Network Firewall, i.e. an egress path');
      if (resource.type === FIREWALL_POLICY && allowlisted && !firewallDropsByDefault(resource.props)) {
        report(resource, 'a firewall policy that does not drop by default (statefulDefaultActions needs aws:drop_established)');
      }
      const path = internetPath(resource.type, resource.props);
      if (path === undefined) continue;
      const allowedGateway = allowlisted && resource.type in ALLOWLIST_GATEWAYS;
      if (allowedGateway) gateways.set(resource.type, (gateways.get(resource.type) ?? 0) + 1);
      if (!allowedGateway && !(allowlisted && webOnlyEgressRule(resource.type, resource.props))) report(resource, path);
    }
    if (allowlisted) {
      if (!args.resources.some((r) => r.type === NETWORK_FIREWALL)) {
        reportViolation('The plan declares allowlisted egress but the stack has no Network Firewall; without it the NAT gateway would let everything out.');
      }
      for (const [type, count] of gateways) {
        if (count > (ALLOWLIST_GATEWAYS[type] ?? 0)) reportViolation(`The stack has ${count} resources of type ${type}; allowlisted egress needs exactly ${ALLOWLIST_GATEWAYS[type]}.`);
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
  if (route === UNKNOWN) return 'a route table whose routes are unknown until apply';
  const target = PRIVATE_ROUTE_TARGETS.find((key) => present(field(route, key)));
  if (target !== undefined) return target;
  // An unknown gatewayId comes from a resource of this stack; a VPN gateway there is refused by its type.
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
    const routes = args.type === 'aws:ec2/route:Route' ? [args.props] : args.type.startsWith('aws:ec2/') && args.type.endsWith('RouteTable') ? list(field(args.props, 'routes')) : [];
    for (const route of routes) {
      const target = privateRouteTarget(route);
      if (target !== undefined) reportViolation(`${args.name} routes through ${target}, a path to the company's other networks; remove the route.`);
    }
  },
};

export interface SwitchNetworkConfig extends EgressConfig {
  readonly switchCidrs?: readonly string[];
}

/** Route destinations; UNKNOWN where one is not known until apply. */
function routeDestinations(resource: PolicyResource): (string | typeof UNKNOWN)[] {
  const one = (value: unknown): (string | typeof UNKNOWN)[] => (value === UNKNOWN ? [UNKNOWN] : typeof value === 'string' ? [value] : []);
  if (resource.type === 'aws:ec2/route:Route') return one(field(resource.props, 'destinationCidrBlock'));
  if (resource.type === 'aws:ec2/routeTable:RouteTable' || resource.type === 'aws:ec2/defaultRouteTable:DefaultRouteTable') {
    return list(field(resource.props, 'routes')).flatMap((r) => (r === UNKNOWN ? [UNKNOWN] : one(field(r, 'cidrBlock'))));
  }
  return [];
}

export const noRouteToSwitchNetworks: StackValidationPolicy = {
  name: 'no-route-to-switch-networks',
  description: "No route whose destination covers one of the plan's switch networks.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { switchCidrs: { type: 'array', items: { type: 'string' } }, ...EGRESS_CONFIG_SCHEMA } },
  validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const config = args.getConfig<SwitchNetworkConfig>();
    const { switchCidrs } = config;
    if (switchCidrs === undefined) {
      reportViolation('The policy needs the plan\'s switch networks: pass `--policy-pack-config` with {"no-route-to-switch-networks": {"switchCidrs": [...]}} (an empty list if the plan has none).');
      return;
    }
    const egress = declaredEgress(config, 'no-route-to-switch-networks', reportViolation);
    if (egress === undefined) return;
    // The default route of declared allowlisted egress leads only through the Network Firewall, whose first rule group drops the switch networks (no-internet-path requires it).
    const firewalled = egress === 'allowlist';
    for (const resource of args.resources) {
      for (const destination of routeDestinations(resource)) {
        if (destination === UNKNOWN) {
          reportViolation(`${resource.name} has a route whose destination is unknown until apply; it may cover a switch network. Give the destination as a literal CIDR.`, resource.urn);
          continue;
        }
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
    if (mayBeTrue(field(args.props, 'publiclyAccessible'))) reportViolation(`${args.name} is publicly accessible; set publiclyAccessible: false.`);
    if (field(args.props, 'storageEncrypted') !== true) reportViolation(`${args.name} does not encrypt its storage; set storageEncrypted: true.`);
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
    const value = field(field(args.props, 'tags'), RELEASE_CANDIDATE_TAG);
    const expected = args.getConfig<ReleaseCandidateConfig>().releaseCandidate;
    if (typeof value !== 'string' || value === '') {
      reportViolation(`${args.name} (${args.type}) has no ${RELEASE_CANDIDATE_TAG} tag; tag it with the release candidate id.`);
    } else if (expected !== undefined && value !== expected) {
      reportViolation(`${args.name} is tagged ${RELEASE_CANDIDATE_TAG}=${value}, but this stack rehearses ${expected}.`);
    }
  },
};

export const rehearsalPolicies = [noInternetPath, noPrivateConnectivity, noRouteToSwitchNetworks, databasePrivateAndEncrypted, taggedWithReleaseCandidate];
