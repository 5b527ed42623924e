// The example AWS stack (stacks/Pulumi.rc-2026-12-1.yaml, snapshot restore) run through infra/index.ts under mocks.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import t from 'tap';
import { parse } from 'yaml';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { loadPlan } from '../../src/plan/load.js';
import { snapshotCopyIdentifier } from '../../infra/naming.js';
import { collectResources, installMocks, ofType } from './harness.js';
import { goldenListing, isSecret } from './golden.js';
import { checkIsolationInvariants } from './invariants.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const STACK_FILE = new URL('../../stacks/Pulumi.rc-2026-12-1.yaml', import.meta.url);
const GOLDEN_FILE = new URL('./golden/aws-example-stack.yaml', import.meta.url);
const PASSWORD = 'example-password-not-real';

const stackConfig = (parse(readFileSync(STACK_FILE, 'utf8')) as { config: Record<string, unknown> }).config;
pulumi.runtime.setAllConfig(
  {
    ...Object.fromEntries(Object.entries(stackConfig).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])),
    'rehearsal:databasePassword': PASSWORD,
  },
  ['rehearsal:databasePassword'],
);
await installMocks();
const { default: rehearsalStack } = await import('../../infra/index.js');
const { resources, outputs } = await collectResources(await rehearsalStack());
const plan = loadPlan(fileURLToPath(new URL(`../../${stackConfig['rehearsal:plan'] as string}`, import.meta.url)));
const egress = plan.egress;

t.test('isolation invariants of the example stack', async (t) => {
  await checkIsolationInvariants(t, resources, {
    allowlisted: false,
    catalogue: loadEgressCatalogue(),
    mailServers: egress.mailServers,
    switchCidrs: egress.switchCidrs,
    releaseCandidate: 'rc-2026-12-1',
  });
});

t.test('DNS Firewall covers every catalogue domain', async (t) => {
  const catalogue = loadEgressCatalogue();
  const list = ofType(resources, 'aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList').find((l) => l.name.endsWith('-catalogue'));
  const hosts = catalogue.paymentGateways.flatMap((g) => g.hosts);
  t.ok(hosts.length > 10, 'the shipped catalogue is the one checked');
  t.same(hosts.filter((h) => !list?.inputs.domains.includes(h) || !list.inputs.domains.includes(`*.${h}`)), [], 'every gateway host and its subdomains are sinkholed');
  const rule = ofType(resources, 'aws:route53/resolverFirewallRule:ResolverFirewallRule').find((r) => r.inputs.firewallDomainListId === `${list?.name}-id`);
  t.match(rule?.inputs, { action: 'BLOCK', blockResponse: 'OVERRIDE', blockOverrideDnsType: 'CNAME', blockOverrideDomain: 'sinkhole.rehearsal.internal' }, 'answered with the sinkhole host');
  const record = ofType(resources, 'aws:route53/record:Record')[0];
  t.match(record?.inputs, { name: 'sinkhole.rehearsal.internal', type: 'A', records: ['10.213.0.10'] }, 'the sinkhole name points at the rehearsal host');
});

t.test('snapshot restore: an encrypted copy owned by the stack, engine from the snapshot', async (t) => {
  const [copy] = ofType(resources, 'aws:rds/snapshotCopy:SnapshotCopy');
  t.match(copy?.inputs, { sourceDbSnapshotIdentifier: /snapshot:billing-prod-pre-bill-run-2026-11-30$/, kmsKeyId: /kms/ }, 'the copy is re-encrypted with the stack key');
  const [db] = ofType(resources, 'aws:rds/instance:Instance');
  t.match(db?.inputs, { snapshotIdentifier: `${copy?.name}-id`, engine: 'sqlserver-se', engineVersion: '16.00.4175.1.v1', licenseModel: 'license-included' });
  t.notOk(db?.inputs.optionGroupName, 'no backup-restore option group for a snapshot restore');
  t.same(ofType(resources, 'aws:rds/optionGroup:OptionGroup'), []);
});

t.test('restore, sanitize and the isolation proof run on the rehearsal host through SSM', async (t) => {
  const steps = ofType(resources, 'command:local:Command');
  t.same(steps.map((s) => s.name).sort(), ['prove', 'restore', 'sanitize']);
  for (const step of steps) {
    t.equal(step.inputs.create, 'node --import tsx infra/ssm/run-on-host.ts', `${step.name} goes through the SSM runner`);
    t.equal(step.inputs.environment.REHEARSAL_HOST_INSTANCE_ID, 'rehearsal-host-id', `${step.name} targets the rehearsal host`);
    const script = JSON.parse(step.inputs.environment.REHEARSAL_HOST_SCRIPT) as string[];
    t.match(script.at(-1), new RegExp(`scripts/rehearse.ts ${step.name} plans/rc-2026-12-1.aws.yaml$`), `${step.name} runs the project's own stage`);
    t.notMatch(JSON.stringify(step.inputs), PASSWORD, `${step.name} never carries the password`);
    t.match(
      step.inputs.triggers,
      ['arn:aws:rds:eu-west-1:123456789012:snapshot:billing-prod-pre-bill-run-2026-11-30@2026-11-30T22:00:00Z', 'rehearsal-test-db', 'rehearsal-host-id', 'bundle-etag', /^[0-9a-f]{64}$/],
      `${step.name} re-runs when the snapshot, the instance, the host, the bundle or the host plan changes`,
    );
  }
  const urn = (name: string): string => resources.find((r) => r.name === name && r.type === 'rehearsal:ssm:HostStep')?.urn ?? '';
  t.ok(urn('restore') && urn('sanitize'), 'each step is a HostStep component');
});

t.test('the RDS instance has a deterministic identifier and the host plan names its endpoint', async (t) => {
  const [db] = ofType(resources, 'aws:rds/instance:Instance');
  t.equal(db?.inputs.identifier, 'rehearsal-test-db', 'derived from the stack name');
  t.equal(db?.options.deleteBeforeReplace, true, 'a replacement deletes the old instance first: the identifier cannot exist twice');
  const [hostPlan] = ofType(resources, 'aws:s3/bucketObjectv2:BucketObjectv2').filter((o) => o.inputs.key === 'plan/host-plan.yaml');
  const rendered = parse(hostPlan?.inputs.content) as { database: { server: string } };
  t.equal(rendered.database.server, 'rehearsal-test-db.c0ffee.eu-west-1.rds.amazonaws.com', "the production guard on the host accepts the stack's instance");
  const original = parse(readFileSync(new URL('../../plans/rc-2026-12-1.aws.yaml', import.meta.url), 'utf8')) as { database: { server: string } };
  t.same(rendered, { ...original, database: { ...original.database, server: rendered.database.server } }, 'everything else is the plan named by rehearsal:plan');
  t.equal(outputs['databaseIdentifier'], 'rehearsal-test-db');
});

t.test('the snapshot copy is named after its source snapshot', async (t) => {
  const [copy] = ofType(resources, 'aws:rds/snapshotCopy:SnapshotCopy');
  t.equal(
    copy?.inputs.targetDbSnapshotIdentifier,
    snapshotCopyIdentifier('test', 'arn:aws:rds:eu-west-1:123456789012:snapshot:billing-prod-pre-bill-run-2026-11-30', '2026-11-30T22:00:00Z'),
  );
});

t.test('the rehearsal host runs a pinned AMI with Node.js 22 and nftables', async (t) => {
  const host = ofType(resources, 'aws:ec2/instance:Instance').find((i) => i.name === 'rehearsal-host');
  t.equal(host?.inputs.ami, (stackConfig['rehearsal:rehearsalHost'] as { imageId: string }).imageId, 'the AMI of the stack settings, no "latest" lookup');
  t.match(host?.inputs.userData, /^dnf install -y nodejs22 nftables tar gzip$/m);
  t.match(host?.inputs.userData, /^ExecStart=\/usr\/bin\/node-22 --import tsx scripts\/rehearse.ts up --foreground plans\/rc-2026-12-1.aws.yaml$/m);
  t.notMatch(host?.inputs.userData, /node-20|nodejs20/);
});

t.test('host steps store no checkout path and send their full output to the transfer bucket', async (t) => {
  for (const step of ofType(resources, 'command:local:Command')) {
    t.notOk('dir' in step.inputs, `${step.name} runs from the project root Pulumi runs in`);
    t.notMatch(JSON.stringify(step.inputs), PROJECT_DIR.replace(/\/$/, ''), `${step.name} holds no absolute path of this checkout`);
    t.match(step.inputs.environment, { REHEARSAL_HOST_OUTPUT_BUCKET: 'transfer-id', REHEARSAL_HOST_OUTPUT_PREFIX: 'ssm-output/' });
    const script = JSON.parse(step.inputs.environment.REHEARSAL_HOST_SCRIPT) as string[];
    const fetchPlan = script.findIndex((line) => line.includes('s3://transfer-id/plan/host-plan.yaml'));
    t.ok(fetchPlan > 0 && fetchPlan < script.length - 1, `${step.name} fetches the current plan before the stage runs`);
  }
});

t.test('the bill-run script exports the connection string and uploads the report', async (t) => {
  const script = outputs['hostBillRunScript'] as string[];
  t.ok(script.includes('export REHEARSAL_MSSQL_CONNECTION'), 'the variable the plan names is exported');
  t.ok(script.some((line) => line.startsWith('REHEARSAL_MSSQL_CONNECTION="$(aws ssm get-parameter --with-decryption --name /rehearsal/rc-2026-12-1/database-connection')));
  t.match(script.join('\n'), /s3:\/\/transfer-id\/reports\/latest\//);
  t.notMatch(script.join('\n'), /set -e/, 'a NO-GO does not abort before the upload');
  t.equal(outputs['reportsUri'], 's3://transfer-id/reports/latest/');
});

t.test('stack outputs hold what the scripts need and no secret', async (t) => {
  t.match(outputs, {
    target: 'aws',
    releaseCandidate: 'rc-2026-12-1',
    rehearsalHostInstanceId: 'rehearsal-host-id',
    appHostInstanceId: 'app-host-id',
    databaseConnectionParameter: '/rehearsal/rc-2026-12-1/database-connection',
    transferBucket: 'transfer-id',
    egressPolicy: 'deny-all',
  });
  t.notMatch(JSON.stringify(outputs), PASSWORD);
});

t.test('the master password and the connection string stay Pulumi secrets', async (t) => {
  t.ok(isSecret(ofType(resources, 'aws:rds/instance:Instance')[0]?.inputs.password), 'RDS master password');
  t.ok(isSecret(ofType(resources, 'aws:ssm/parameter:Parameter')[0]?.inputs.value), 'SSM SecureString value');
  t.equal(ofType(resources, 'aws:ssm/parameter:Parameter')[0]?.inputs.type, 'SecureString');
  t.notMatch(readFileSync(GOLDEN_FILE, 'utf8'), PASSWORD, 'the golden file holds no secret');
});

t.test('golden file lists the resources of the example stack', async (t) => {
  const listing = goldenListing(resources, PROJECT_DIR);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN_FILE, listing);
  t.equal(listing, readFileSync(GOLDEN_FILE, 'utf8'), 'run with UPDATE_GOLDEN=1 to accept a deliberate change, then review the diff');
});
