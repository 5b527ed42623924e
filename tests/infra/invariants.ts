/** Isolation invariants checked on the resource graph of every AWS variant. */
import type { Test } from 'tap';
import type { EgressCatalogue } from '../../src/egress/types.js';
import { cidrsOverlap } from '../../infra/cidr.js';
import { rehearsalPolicies } from '../../policy/policies.js';
import { UNKNOWN_AT_PREVIEW, allViolations } from './policy-harness.js';
import { MOCK_ACCOUNT, ofType, type RegisteredResource } from './harness.js';

export interface IsolationExpectations {
  readonly allowlisted: boolean;
  readonly catalogue: EgressCatalogue;
  readonly mailServers: readonly string[];
  readonly switchCidrs: readonly string[];
  readonly releaseCandidate: string;
}

const INTERNET_TYPES = ['aws:ec2/internetGateway:InternetGateway', 'aws:ec2/natGateway:NatGateway', 'aws:ec2/eip:Eip', 'aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway'];

function covers(t: Test, rules: RegisteredResource[], protocol: string, port: number, what: string): void {
  const hit = rules.find(
    (r) => r.inputs.egress === true && r.inputs.ruleAction === 'deny' && r.inputs.protocol === protocol && r.inputs.cidrBlock === '0.0.0.0/0' && r.inputs.fromPort <= port && port <= r.inputs.toPort,
  );
  t.ok(hit, `NACL denies ${what} ${protocol}/${port} to anywhere`);
}

interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

function statementsOf(policy: unknown): PolicyStatement[] {
  return (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** S3 writes only to this account's transfer bucket; SSM interface endpoints only for the host roles. */
function checkEndpointPolicies(t: Test, resources: readonly RegisteredResource[]): void {
  const endpoints = ofType(resources, 'aws:ec2/vpcEndpoint:VpcEndpoint');
  const s3 = endpoints.find((e) => e.inputs.vpcEndpointType === 'Gateway');
  const transferArn = 'arn:aws:s3:::rehearsal-transfer';
  for (const statement of statementsOf(s3?.inputs.policy)) {
    const actions = asList(statement.Action);
    t.notOk(actions.some((a) => a.includes('*')), `S3 endpoint statement ${statement.Sid} names its actions`);
    if (actions.some((a) => a !== 's3:GetObject')) {
      t.ok(asList(statement.Resource).every((r) => r === transferArn || r.startsWith(`${transferArn}/`)), `S3 endpoint statement ${statement.Sid}: anything beyond reading objects reaches only the transfer bucket`);
    }
    if (asList(statement.Resource).some((r) => r.startsWith(transferArn))) {
      t.same(statement.Condition, { StringEquals: { 'aws:ResourceAccount': MOCK_ACCOUNT } }, `S3 endpoint statement ${statement.Sid} requires the bucket to be this account's`);
    }
  }
  const writes = statementsOf(s3?.inputs.policy).filter((s) => asList(s.Action).includes('s3:PutObject'));
  t.same(writes.flatMap((s) => asList(s.Resource)), [`${transferArn}/reports/*`, `${transferArn}/ssm-output/*`], 'objects are written only under reports/ and ssm-output/ of the transfer bucket');
  const repos = statementsOf(s3?.inputs.policy).filter((s) => asList(s.Resource).some((r) => r.startsWith('arn:aws:s3:::al2023-repos-')));
  t.same(repos.map((s) => s.Action), ['s3:GetObject'], 'the registrable al2023-repos-<region>-* pattern is read only');

  const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === 'Interface');
  t.equal(interfaces.length, 3, 'SSM, SSM messages, EC2 messages');
  for (const endpoint of interfaces) {
    const service = String(endpoint.inputs.serviceName).split('.').at(-1);
    const statements = statementsOf(endpoint.inputs.policy);
    t.same(statements.map((s) => s.Action), [`${service}:*`], `${endpoint.name} serves only its own API`);
    const principals = asList(statements[0]?.Condition?.['StringEquals']?.['aws:PrincipalArn']);
    t.ok(principals.length > 0 && principals.every((arn) => new RegExp(`^arn:aws:iam::${MOCK_ACCOUNT}:role/rehearsal-[a-z0-9-]+-(rehearsal|app)-host$`).test(arn)), `${endpoint.name} serves only the rehearsal hosts' roles`);
  }
}

/** No host can read every parameter of the account, and only the hosts (and the deployer) can decrypt the connection string. */
function checkHostPermissions(t: Test, resources: readonly RegisteredResource[]): void {
  t.same(
    ofType(resources, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => String(a.inputs.policyArn).endsWith('/AmazonSSMManagedInstanceCore')),
    [],
    'AmazonSSMManagedInstanceCore (ssm:GetParameter on *) is not attached',
  );
  for (const policy of ofType(resources, 'aws:iam/rolePolicy:RolePolicy')) {
    for (const statement of statementsOf(policy.inputs.policy)) {
      const readsParameters = asList(statement.Action).some((a) => /^ssm:(GetParameters?|GetParametersByPath|\*)$/.test(a));
      if (readsParameters) t.notOk(asList(statement.Resource).includes('*'), `${policy.name} reads parameters only by name`);
    }
  }
  const [parameter] = ofType(resources, 'aws:ssm/parameter:Parameter');
  const [key] = ofType(resources, 'aws:kms/key:Key').filter((k) => k.name === 'database-connection');
  t.equal(parameter?.inputs.keyId, key === undefined ? 'missing' : `arn:aws:mock:eu-west-1:123456789012:kms/key/${key.name}`, 'the connection string is encrypted with its own key');
  const decrypting = statementsOf(key?.inputs.policy).filter((s) => asList(s.Action).includes('kms:Decrypt') || (s.NotAction !== undefined && !asList(s.NotAction).includes('kms:Decrypt')));
  t.equal(decrypting.length, 1, 'one statement lets anyone decrypt');
  const granting = statementsOf(key?.inputs.policy).filter((s) => asList(s.Action).includes('kms:CreateGrant') || (s.NotAction !== undefined && !asList(s.NotAction).includes('kms:CreateGrant')));
  t.same(granting, [], 'nobody can grant Decrypt to someone else');
  const readers = asList(decrypting[0]?.Condition?.['StringEquals']?.['aws:PrincipalArn']);
  t.ok(readers.length >= 2 && readers.every((arn) => arn.endsWith('-host') || arn.endsWith(':role/deployer')), 'decrypt: the host roles and the deployer only');
  t.equal(decrypting[0]?.Condition?.['StringEquals']?.['kms:ViaService'], 'ssm.eu-west-1.amazonaws.com', 'decrypt only through SSM');
}

function policyConfig(expect: IsolationExpectations): Record<string, object> {
  const egressPolicy = expect.allowlisted ? 'allowlist' : 'deny-all';
  return {
    'no-internet-path': { egressPolicy },
    'no-route-to-switch-networks': { switchCidrs: expect.switchCidrs, egressPolicy },
    'tagged-with-release-candidate': { releaseCandidate: expect.releaseCandidate },
  };
}

/** The inputs as a preview sees them: every id, ARN or address another resource computes is unknown. */
function unknownReferences(value: unknown): unknown {
  if (typeof value === 'string') return /(-id|\.amazonaws\.com)$|^arn:aws:mock:|^vpce-|^pl-/.test(value) ? UNKNOWN_AT_PREVIEW.string : value;
  if (Array.isArray(value)) return value.map(unknownReferences);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unknownReferences(v)]));
  return value;
}

export async function checkIsolationInvariants(t: Test, resources: readonly RegisteredResource[], expect: IsolationExpectations): Promise<void> {
  const internet = resources.filter((r) => INTERNET_TYPES.includes(r.type));
  if (expect.allowlisted) {
    t.same(internet.map((r) => r.type).sort(), ['aws:ec2/eip:Eip', 'aws:ec2/internetGateway:InternetGateway', 'aws:ec2/natGateway:NatGateway'], 'allowlisted egress: exactly one IGW, NAT and its address');
    t.equal(ofType(resources, 'aws:networkfirewall/firewall:Firewall').length, 1, 'allowlisted egress goes through a Network Firewall');
  } else {
    t.same(internet, [], 'no internet gateway, NAT or Elastic IP');
    t.same(ofType(resources, 'aws:networkfirewall/firewall:Firewall'), [], 'no Network Firewall without allowlisted egress');
  }

  for (const instance of ofType(resources, 'aws:ec2/instance:Instance')) {
    t.equal(instance.inputs.associatePublicIpAddress, false, `${instance.name} has no public IP`);
    t.notOk(instance.inputs.keyName, `${instance.name} has no SSH key`);
    t.equal(instance.inputs.metadataOptions?.httpTokens, 'required', `${instance.name} requires IMDSv2`);
    t.ok(instance.inputs.iamInstanceProfile, `${instance.name} is managed through SSM`);
  }
  for (const subnet of ofType(resources, 'aws:ec2/subnet:Subnet')) t.equal(subnet.inputs.mapPublicIpOnLaunch, false, `${subnet.name} gives no public IPs`);

  // Routes: the private route tables have no route at all under deny-all; under allowlist, only the default route to the NAT.
  const routes = ofType(resources, 'aws:ec2/route:Route');
  const privateTables = ofType(resources, 'aws:ec2/routeTable:RouteTable').filter((r) => /-private-\d$/.test(r.name));
  t.equal(privateTables.length, 2, 'one route table per private subnet');
  for (const table of [...privateTables, ...ofType(resources, 'aws:ec2/routeTable:RouteTable')]) t.notOk(table.inputs.routes?.length, `${table.name} has no inline routes`);
  const privateRoutes = routes.filter((r) => privateTables.some((p) => r.inputs.routeTableId === `${p.name}-id`));
  if (expect.allowlisted) {
    t.equal(privateRoutes.length, 2, 'each private route table has one route');
    for (const route of privateRoutes) {
      t.equal(route.inputs.destinationCidrBlock, '0.0.0.0/0', `${route.name} is the default route`);
      t.ok(route.inputs.natGatewayId, `${route.name} leads to the NAT, which sits behind the firewall`);
    }
  } else {
    t.same(routes, [], 'no route resources at all under deny-all');
  }
  for (const route of routes) {
    for (const cidr of expect.switchCidrs) {
      if (route.inputs.destinationCidrBlock !== '0.0.0.0/0') t.notOk(cidrsOverlap(route.inputs.destinationCidrBlock, cidr), `${route.name} does not cover ${cidr}`);
    }
    t.notOk(route.inputs.transitGatewayId ?? route.inputs.vpcPeeringConnectionId, `${route.name} goes to no TGW or peering`);
  }

  const acl = ofType(resources, 'aws:ec2/networkAclRule:NetworkAclRule');
  for (const port of expect.catalogue.smtpPorts) covers(t, acl, 'tcp', port, 'SMTP');
  for (const service of expect.catalogue.switchServices) for (const port of service.ports) covers(t, acl, service.protocol, port, service.service);
  for (const cidr of expect.switchCidrs) {
    for (const egress of [true, false]) {
      t.ok(
        acl.find((r) => r.inputs.egress === egress && r.inputs.ruleAction === 'deny' && r.inputs.cidrBlock === cidr && r.inputs.protocol === '-1'),
        `NACL denies all ${egress ? 'egress to' : 'ingress from'} switch network ${cidr}`,
      );
    }
  }
  t.equal(ofType(resources, 'aws:ec2/networkAclAssociation:NetworkAclAssociation').length, 2, 'the ACL guards both private subnets');

  // DNS Firewall: every catalogue host and mail server is sinkholed, everything else unknown is NXDOMAIN, and it fails closed.
  const lists = ofType(resources, 'aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList');
  const catalogueList = lists.find((l) => l.name.endsWith('-catalogue'));
  const hosts = [...expect.catalogue.paymentGateways.flatMap((g) => g.hosts), ...expect.mailServers];
  for (const host of hosts) t.ok(catalogueList?.inputs.domains.includes(host), `DNS Firewall sinkholes ${host}`);
  const rules = ofType(resources, 'aws:route53/resolverFirewallRule:ResolverFirewallRule');
  const sinkholeRule = rules.find((r) => r.inputs.firewallDomainListId === `${catalogueList?.name}-id`);
  t.equal(sinkholeRule?.inputs.action, 'BLOCK', 'catalogue names are blocked');
  const everything = lists.find((l) => l.inputs.domains.length === 1 && l.inputs.domains[0] === '*');
  const catchAll = rules.find((r) => r.inputs.firewallDomainListId === `${everything?.name}-id`);
  t.match(catchAll?.inputs, { action: 'BLOCK', blockResponse: 'NXDOMAIN' }, 'every other name gets NXDOMAIN');
  t.equal(Math.max(...rules.map((r) => r.inputs.priority)), catchAll?.inputs.priority, 'the catch-all rule is evaluated last');
  t.equal(Math.min(...rules.map((r) => r.inputs.priority)), sinkholeRule?.inputs.priority, 'the catalogue rule is evaluated first');
  t.match(ofType(resources, 'aws:route53/resolverFirewallConfig:ResolverFirewallConfig'), [{ inputs: { firewallFailOpen: 'DISABLED' } }], 'DNS Firewall fails closed');
  t.equal(ofType(resources, 'aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation').length, 1, 'the rule group is associated with the VPC');

  for (const sg of ofType(resources, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule')) {
    if (sg.inputs.cidrIpv4 === '0.0.0.0/0') t.ok(expect.allowlisted && [80, 443].includes(sg.inputs.fromPort), `${sg.name}: egress to anywhere only for allowlisted HTTP(S)`);
  }

  const [db] = ofType(resources, 'aws:rds/instance:Instance');
  t.match(
    db?.inputs,
    { publiclyAccessible: false, storageEncrypted: true, deletionProtection: false, skipFinalSnapshot: true, backupRetentionPeriod: 0, multiAz: false },
    'RDS: private, encrypted, no deletion protection, no final snapshot, no backups',
  );

  const unparented = resources.filter((r) => r.custom && r.type.startsWith('aws:') && r.parentTypes.length === 0);
  t.same(unparented.map((r) => r.type).sort(), ['aws:kms/key:Key', 'aws:ssm/parameter:Parameter'], 'every AWS resource but the connection string and its key is a child of a component');

  checkEndpointPolicies(t, resources);
  checkHostPermissions(t, resources);
  const services = lists.find((l) => l.name.endsWith('-aws-services'));
  const serviceRule = rules.find((r) => r.inputs.firewallDomainListId === `${services?.name}-id`);
  t.match(serviceRule?.inputs, { action: 'ALLOW', firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN' }, 'S3 bucket names resolve through their AWS CNAME chain');

  const violations = await allViolations(
    rehearsalPolicies,
    resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
    policyConfig(expect),
  );
  t.same(violations, [], 'the policy pack accepts the program');

  // At preview every value another resource computes is unknown. The pack must neither throw (the
  // engine would make the policy advisory) nor reject the program for it.
  const atPreview = resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: unknownReferences(r.inputs) as Record<string, unknown> }));
  t.same(await allViolations(rehearsalPolicies, atPreview, policyConfig(expect)), [], 'the policy pack accepts the program at preview, with ids and ARNs unknown');
}
