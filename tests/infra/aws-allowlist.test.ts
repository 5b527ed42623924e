// Variant: the plan declares allowlisted egress, so a Network Firewall with an SNI/Host allowlist is the only way out.
import t from 'tap';
import { UserError } from '../../src/errors.js';
import { awsSettings, testCatalogue } from './fixtures.js';
import { collectResources, installMocks, ofType } from './harness.js';
import { checkIsolationInvariants } from './invariants.js';

await installMocks();
const { createAwsEnvironment } = await import('../../infra/aws-environment.js');
const base = awsSettings();
const settings = awsSettings({ egress: { ...base.egress, policy: 'allowlist', allowlist: ['licensing.vendor.example'] } });
const { resources, outputs } = await collectResources(createAwsEnvironment(settings, testCatalogue));

t.test('isolation invariants hold with allowlisted egress', async (t) => {
  await checkIsolationInvariants(t, resources, {
    allowlisted: true,
    catalogue: testCatalogue,
    mailServers: settings.egress.mailServers,
    switchCidrs: settings.egress.switchCidrs,
    releaseCandidate: 'rc-test-1',
  });
  t.equal(outputs['egressPolicy'], 'allowlist');
});

t.test('the firewall drops switch networks first, then passes only the allowlisted names', async (t) => {
  const groups = ofType(resources, 'aws:networkfirewall/ruleGroup:RuleGroup');
  const drop = groups.find((g) => g.name.endsWith('drop-switch-networks'));
  t.match(drop?.inputs.ruleGroup.rulesSource.statefulRules, [{ action: 'DROP', header: { destination: '198.51.100.0/24' } }]);
  const allow = groups.find((g) => g.name.endsWith('allow-domains'));
  t.same(allow?.inputs.ruleGroup.rulesSource.rulesSourceList, {
    generatedRulesType: 'ALLOWLIST',
    targetTypes: ['TLS_SNI', 'HTTP_HOST'],
    targets: ['*.licensing.vendor.example', 'licensing.vendor.example'],
  });
  const [policy] = ofType(resources, 'aws:networkfirewall/firewallPolicy:FirewallPolicy');
  t.match(policy?.inputs.firewallPolicy, {
    statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
    statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
    statefulRuleGroupReferences: [{ priority: 10 }, { priority: 20 }],
  });
  t.match(policy?.inputs.firewallPolicy.statefulRuleGroupReferences[0].resourceArn, /drop-switch-networks$/, 'the drop group is evaluated first');
});

t.test('traffic passes the firewall both ways', async (t) => {
  const routes = ofType(resources, 'aws:ec2/route:Route');
  const byName = (suffix: string): Record<string, unknown> | undefined => routes.find((r) => r.name.endsWith(suffix))?.inputs;
  t.match(byName('nat-default'), { destinationCidrBlock: '0.0.0.0/0', vpcEndpointId: 'vpce-firewall-eu-west-1a' });
  t.match(byName('firewall-default'), { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'rehearsal-egress-igw-id' });
  t.match(byName('igw-return'), { destinationCidrBlock: '10.213.32.0/20', vpcEndpointId: 'vpce-firewall-eu-west-1a' });
});

t.test('the allowlist is also resolvable through the DNS Firewall, after the catalogue sinkhole', async (t) => {
  const list = ofType(resources, 'aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList').find((l) => l.name.endsWith('-allowlist'));
  t.same(list?.inputs.domains, ['*.licensing.vendor.example', 'licensing.vendor.example']);
});

t.test('an allowlist entry that would reach a catalogue host is refused', async (t) => {
  const clash = awsSettings({ egress: { ...base.egress, policy: 'allowlist', allowlist: ['gateway.example'] } });
  t.throws(() => createAwsEnvironment(clash, testCatalogue), new UserError('The egress allowlist entry gateway.example would let the rehearsal reach api.gateway.example, a payment gateway or mail server from the egress catalogue. Remove it from `egress.allowlist`; those hosts are always answered by the sinkhole.'));
});
