// Every policy with an input it accepts and one it rejects, called without the Pulumi engine.
import t from 'tap';
import { databasePrivateAndEncrypted, noInternetPath, noPrivateConnectivity, noRouteToSwitchNetworks, rehearsalPolicies, taggedWithReleaseCandidate } from '../../policy/policies.js';
import { UNKNOWN_AT_PREVIEW, resourceViolations, stackViolations, type FakeResource } from './policy-harness.js';

const denyAll = { egressPolicy: 'deny-all' };
const allowlist = { egressPolicy: 'allowlist' };
const droppingPolicy: FakeResource = {
  type: 'aws:networkfirewall/firewallPolicy:FirewallPolicy',
  name: 'egress-policy',
  props: { firewallPolicy: { statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'] } },
};

const tags = { 'rehearsal:release-candidate': 'rc-1' };
const firewall: FakeResource = { type: 'aws:networkfirewall/firewall:Firewall', name: 'egress-firewall', props: { firewallPolicyArn: 'arn:policy', tags } };
const igw: FakeResource = { type: 'aws:ec2/internetGateway:InternetGateway', name: 'igw', props: { tags } };
const privateInstance: FakeResource = { type: 'aws:ec2/instance:Instance', name: 'host', props: { associatePublicIpAddress: false, tags } };

t.test('no-internet-path under declared deny-all', async (t) => {
  t.same(await stackViolations(noInternetPath, [privateInstance, { type: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule', name: 'to-vpc', props: { cidrIpv4: '10.213.0.0/16' } }], denyAll), []);
  const violating: FakeResource[] = [
    igw,
    { type: 'aws:ec2/natGateway:NatGateway', name: 'nat', props: {} },
    { type: 'aws:ec2/instance:Instance', name: 'public-host', props: { associatePublicIpAddress: true } },
    { type: 'aws:ec2/subnet:Subnet', name: 'public-subnet', props: { mapPublicIpOnLaunch: true } },
    { type: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule', name: 'open-egress', props: { cidrIpv4: '0.0.0.0/0' } },
    { type: 'aws:ec2/securityGroup:SecurityGroup', name: 'inline-open', props: { egress: [{ cidrBlocks: ['0.0.0.0/0'] }] } },
  ];
  const found = await stackViolations(noInternetPath, violating, denyAll);
  t.equal(found.length, violating.length, 'each path to the internet is reported');
  t.match(found[0], /igw is an internet gateway/);
  const withFirewall = await stackViolations(noInternetPath, [...violating, firewall], denyAll);
  t.equal(withFirewall.length, violating.length + 1, 'a Network Firewall resource switches no check off; it is itself refused under deny-all');
  t.match(withFirewall, [/igw/, /nat/, /public-host/, /public-subnet/, /open-egress/, /inline-open/, /egress-firewall is a Network Firewall/]);
});

t.test('no-internet-path under declared allowlisted egress allows only the firewalled HTTP(S) path', async (t) => {
  const nat: FakeResource = { type: 'aws:ec2/natGateway:NatGateway', name: 'nat', props: {} };
  const eip: FakeResource = { type: 'aws:ec2/eip:Eip', name: 'nat-address', props: { domain: 'vpc' } };
  const https: FakeResource = { type: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule', name: 'https-out', props: { cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 443, toPort: 443 } };
  t.same(await stackViolations(noInternetPath, [igw, nat, eip, https, firewall, droppingPolicy, privateInstance], allowlist), [], 'the allowlisted egress the program builds');
  t.match(
    await stackViolations(noInternetPath, [igw, nat, eip, firewall, droppingPolicy, { type: 'aws:ec2/instance:Instance', name: 'public-host', props: { associatePublicIpAddress: true } }], allowlist),
    [/public-host is an instance with a public IP/],
    'a public instance is refused even with the firewall',
  );
  t.match(
    await stackViolations(noInternetPath, [firewall, droppingPolicy, { type: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule', name: 'all-out', props: { cidrIpv4: '0.0.0.0/0', ipProtocol: '-1' } }], allowlist),
    [/all-out is security-group egress to 0.0.0.0\/0/],
    'egress to anywhere on every port is refused',
  );
  t.match(await stackViolations(noInternetPath, [igw, nat, eip], allowlist), [/no Network Firewall/], 'allowlist without a firewall is refused');
  t.match(await stackViolations(noInternetPath, [igw, { ...igw, name: 'igw-2' }, firewall, droppingPolicy], allowlist), [/2 resources of type aws:ec2\/internetGateway/], 'a second gateway is refused');
  t.match(
    await stackViolations(noInternetPath, [firewall, { ...droppingPolicy, props: { firewallPolicy: { statefulDefaultActions: ['aws:pass'] } } }], allowlist),
    [/does not drop by default/],
    'a firewall that passes by default is refused',
  );
  t.match(
    await stackViolations(noInternetPath, [{ type: 'aws:rds/instance:Instance', name: 'db', props: { publiclyAccessible: true } }, firewall, droppingPolicy], allowlist),
    [/db is a publicly accessible database/],
    'a public database is refused even with allowlisted egress',
  );
});

t.test('the stack policies need the declared egress policy and hold at preview', async (t) => {
  t.match(await stackViolations(noInternetPath, [privateInstance], {}), [/needs the plan's declared egress policy/]);
  t.match(await stackViolations(noRouteToSwitchNetworks, [], { switchCidrs: [] }), [/needs the plan's declared egress policy/]);
  const unknown = UNKNOWN_AT_PREVIEW;
  const previewFirewall: FakeResource = { ...firewall, props: { firewallPolicyArn: unknown.string, tags } };
  const found = await stackViolations(noInternetPath, [previewFirewall, igw, { type: 'aws:ec2/instance:Instance', name: 'host', props: { associatePublicIpAddress: unknown.boolean } }], denyAll);
  t.equal(found.length, 3, 'an unknown firewall ARN makes nothing advisory: the IGW, the firewall and the maybe-public instance are reported');
  t.match(found, [/egress-firewall is a Network Firewall/, /igw is an internet gateway/, /host is an instance with a public IP/]);
  t.match(
    await stackViolations(noRouteToSwitchNetworks, [{ type: 'aws:ec2/route:Route', name: 'later', props: { destinationCidrBlock: unknown.string } }], { switchCidrs: ['198.51.100.0/24'], ...denyAll }),
    [/later has a route whose destination is unknown until apply/],
    'an unknown route destination fails closed',
  );
  t.same(
    await resourceViolations(noPrivateConnectivity, { type: 'aws:ec2/route:Route', name: 'to-nat', props: { destinationCidrBlock: '0.0.0.0/0', natGatewayId: unknown.string } }),
    [],
    'an unknown NAT gateway id is no private connectivity',
  );
  t.match(
    await resourceViolations(noPrivateConnectivity, { type: 'aws:ec2/route:Route', name: 'to-tgw', props: { destinationCidrBlock: '10.0.0.0/8', transitGatewayId: unknown.string } }),
    [/to-tgw routes through transitGatewayId/],
    'an unknown Transit Gateway id is still a Transit Gateway route',
  );
});

t.test('no-private-connectivity', async (t) => {
  t.same(await resourceViolations(noPrivateConnectivity, { type: 'aws:ec2/route:Route', name: 'to-nat', props: { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' } }), []);
  t.same(await resourceViolations(noPrivateConnectivity, privateInstance), []);
  for (const resource of [
    { type: 'aws:ec2/vpnConnection:VpnConnection', name: 'vpn', props: {} },
    { type: 'aws:ec2transitgateway/vpcAttachment:VpcAttachment', name: 'tgw', props: {} },
    { type: 'aws:ec2/vpcPeeringConnection:VpcPeeringConnection', name: 'peer', props: {} },
    { type: 'aws:ec2/route:Route', name: 'to-tgw', props: { destinationCidrBlock: '10.0.0.0/8', transitGatewayId: 'tgw-1' } },
    { type: 'aws:ec2/routeTable:RouteTable', name: 'inline-vgw', props: { routes: [{ cidrBlock: '10.0.0.0/8', gatewayId: 'vgw-1' }] } },
  ]) {
    t.equal((await resourceViolations(noPrivateConnectivity, resource)).length, 1, `${resource.name} is refused`);
  }
});

t.test('no-route-to-switch-networks', async (t) => {
  const config = { switchCidrs: ['198.51.100.0/24'], ...denyAll };
  const route = (destinationCidrBlock: string): FakeResource => ({ type: 'aws:ec2/route:Route', name: `to-${destinationCidrBlock}`, props: { destinationCidrBlock } });
  t.same(await stackViolations(noRouteToSwitchNetworks, [route('10.50.0.0/16')], config), []);
  t.match(await stackViolations(noRouteToSwitchNetworks, [route('198.51.0.0/16')], config), [/covers the switch network 198\.51\.100\.0\/24/]);
  t.match(await stackViolations(noRouteToSwitchNetworks, [route('0.0.0.0/0')], config), [/covers/], 'a default route without the firewall covers them too');
  t.match(await stackViolations(noRouteToSwitchNetworks, [route('0.0.0.0/0'), firewall], config), [/covers/], 'a firewall resource does not excuse a default route under deny-all');
  t.same(await stackViolations(noRouteToSwitchNetworks, [route('0.0.0.0/0'), firewall], { ...config, ...allowlist }), [], 'the firewalled default route of declared allowlisted egress is allowed');
  t.match(
    await stackViolations(noRouteToSwitchNetworks, [{ type: 'aws:ec2/routeTable:RouteTable', name: 'inline', props: { routes: [{ cidrBlock: '198.51.100.128/25' }] } }], config),
    [/inline routes 198\.51\.100\.128\/25/],
    'inline routes are checked too',
  );
  t.match(await stackViolations(noRouteToSwitchNetworks, [route('10.50.0.0/16')], denyAll), [/policy-pack-config/], 'refuses to pass when the switch networks are not configured');
});

t.test('database-private-and-encrypted', async (t) => {
  t.same(await resourceViolations(databasePrivateAndEncrypted, { type: 'aws:rds/instance:Instance', name: 'db', props: { publiclyAccessible: false, storageEncrypted: true } }), []);
  t.same(
    await resourceViolations(databasePrivateAndEncrypted, { type: 'aws:rds/instance:Instance', name: 'db', props: { publiclyAccessible: true } }),
    ['db is publicly accessible; set publiclyAccessible: false.', 'db does not encrypt its storage; set storageEncrypted: true.'],
  );
});

t.test('tagged-with-release-candidate', async (t) => {
  t.same(await resourceViolations(taggedWithReleaseCandidate, privateInstance, { releaseCandidate: 'rc-1' }), []);
  t.same(await resourceViolations(taggedWithReleaseCandidate, { type: 'aws:ec2/route:Route', name: 'route', props: {} }), [], 'untaggable types are skipped');
  t.match(await resourceViolations(taggedWithReleaseCandidate, { type: 'aws:ec2/vpc:Vpc', name: 'vpc', props: { tags: { Name: 'vpc' } } }), [/vpc \(aws:ec2\/vpc:Vpc\) has no rehearsal:release-candidate tag/]);
  t.match(await resourceViolations(taggedWithReleaseCandidate, privateInstance, { releaseCandidate: 'rc-2' }), [/tagged rehearsal:release-candidate=rc-1, but this stack rehearses rc-2/]);
});

t.test('every policy is mandatory and in the pack', async (t) => {
  t.same(rehearsalPolicies.map((p) => p.enforcementLevel), rehearsalPolicies.map(() => 'mandatory'));
  t.equal(new Set(rehearsalPolicies.map((p) => p.name)).size, 5);
});
