import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';

export interface AllowlistedEgressArgs {
  readonly releaseCandidate: string;
  readonly vpcId: pulumi.Input<string>;
  /** Egress runs through one zone: a rehearsal is short-lived and a second NAT and firewall endpoint double the cost. */
  readonly availabilityZone: string;
  readonly natSubnetCidr: string;
  readonly firewallSubnetCidr: string;
  readonly privateRouteTableIds: pulumi.Input<string>[];
  /** TLS SNI / HTTP Host names that may pass; everything else is dropped. */
  readonly domains: readonly string[];
  /** Destinations dropped before any allow (the plan's switch networks). */
  readonly blockedCidrs: readonly string[];
}

const STRICT_ORDER = 'STRICT_ORDER';

/**
 * Egress for plans that declare `egress.policy: allowlist`: private subnets route to a NAT
 * gateway whose traffic passes an AWS Network Firewall that lets through only HTTP(S) to the
 * allowlisted names, after dropping the switch networks outright.
 */
export class AllowlistedEgress extends pulumi.ComponentResource {
  readonly firewallArn: pulumi.Output<string>;

  constructor(name: string, args: AllowlistedEgressArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:network:AllowlistedEgress', name, {}, opts);
    const child = { parent: this };
    const tags = (suffix: string): Record<string, string> => releaseCandidateTags(args.releaseCandidate, `${name}-${suffix}`);
    const subnet = (role: string, cidrBlock: string): aws.ec2.Subnet =>
      new aws.ec2.Subnet(`${name}-${role}`, { vpcId: args.vpcId, availabilityZone: args.availabilityZone, cidrBlock, mapPublicIpOnLaunch: false, tags: tags(role) }, child);

    const natSubnet = subnet('nat', args.natSubnetCidr);
    const firewallSubnet = subnet('firewall', args.firewallSubnetCidr);
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: args.vpcId, tags: tags('igw') }, child);
    const natAddress = new aws.ec2.Eip(`${name}-nat`, { domain: 'vpc', tags: tags('nat') }, child);
    const nat = new aws.ec2.NatGateway(`${name}-nat`, { subnetId: natSubnet.id, allocationId: natAddress.allocationId, tags: tags('nat') }, child);

    const blockSwitches = new aws.networkfirewall.RuleGroup(
      `${name}-drop-switch-networks`,
      {
        type: 'STATEFUL',
        capacity: Math.max(10, args.blockedCidrs.length * 2),
        ruleGroup: {
          statefulRuleOptions: { ruleOrder: STRICT_ORDER },
          rulesSource: {
            statefulRules: args.blockedCidrs.map((cidr, index) => ({
              action: 'DROP',
              header: { protocol: 'IP', source: 'ANY', sourcePort: 'ANY', direction: 'FORWARD', destination: cidr, destinationPort: 'ANY' },
              ruleOptions: [{ keyword: 'sid', settings: [`${index + 1}`] }],
            })),
          },
        },
        tags: tags('drop-switch-networks'),
      },
      child,
    );
    const allowDomains = new aws.networkfirewall.RuleGroup(
      `${name}-allow-domains`,
      {
        type: 'STATEFUL',
        capacity: Math.max(10, args.domains.length * 2),
        ruleGroup: {
          statefulRuleOptions: { ruleOrder: STRICT_ORDER },
          rulesSource: { rulesSourceList: { generatedRulesType: 'ALLOWLIST', targetTypes: ['TLS_SNI', 'HTTP_HOST'], targets: [...args.domains].sort() } },
        },
        tags: tags('allow-domains'),
      },
      child,
    );
    const policy = new aws.networkfirewall.FirewallPolicy(
      `${name}-policy`,
      {
        firewallPolicy: {
          statelessDefaultActions: ['aws:forward_to_sfe'],
          statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
          statefulEngineOptions: { ruleOrder: STRICT_ORDER },
          // Drop anything established that no rule passed: non-HTTP(S) traffic and unlisted names.
          statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
          statefulRuleGroupReferences: [
            { resourceArn: blockSwitches.arn, priority: 10 },
            { resourceArn: allowDomains.arn, priority: 20 },
          ],
        },
        tags: tags('policy'),
      },
      child,
    );
    const firewall = new aws.networkfirewall.Firewall(
      `${name}-firewall`,
      { vpcId: args.vpcId, firewallPolicyArn: policy.arn, subnetMappings: [{ subnetId: firewallSubnet.id }], deleteProtection: false, tags: tags('firewall') },
      child,
    );
    const firewallEndpointId = firewall.firewallStatuses.apply((statuses) => {
      const endpoint = statuses[0]?.syncStates.find((s) => s.availabilityZone === args.availabilityZone)?.attachments[0]?.endpointId;
      if (endpoint === undefined) throw new Error(`Network Firewall ${name} reports no endpoint in ${args.availabilityZone}`);
      return endpoint;
    });

    const table = (role: string, associate: { subnetId: pulumi.Input<string> } | { gatewayId: pulumi.Input<string> }): aws.ec2.RouteTable => {
      const routeTable = new aws.ec2.RouteTable(`${name}-${role}`, { vpcId: args.vpcId, tags: tags(role) }, child);
      new aws.ec2.RouteTableAssociation(`${name}-${role}`, { routeTableId: routeTable.id, ...associate }, child);
      return routeTable;
    };
    const route = (label: string, routeTableId: pulumi.Input<string>, destinationCidrBlock: string, target: Record<string, pulumi.Input<string>>): void => {
      new aws.ec2.Route(`${name}-${label}`, { routeTableId, destinationCidrBlock, ...target }, child);
    };
    args.privateRouteTableIds.forEach((routeTableId, index) => route(`private-${index + 1}-default`, routeTableId, '0.0.0.0/0', { natGatewayId: nat.id }));
    route('nat-default', table('nat', { subnetId: natSubnet.id }).id, '0.0.0.0/0', { vpcEndpointId: firewallEndpointId });
    route('firewall-default', table('firewall', { subnetId: firewallSubnet.id }).id, '0.0.0.0/0', { gatewayId: gateway.id });
    // Return traffic from the internet must pass the firewall too, or inspection would see one direction only.
    route('igw-return', table('igw-edge', { gatewayId: gateway.id }).id, args.natSubnetCidr, { vpcEndpointId: firewallEndpointId });

    this.firewallArn = firewall.arn;
    this.registerOutputs({ firewallArn: this.firewallArn });
  }
}
