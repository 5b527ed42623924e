import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import t from 'tap';
import { readAwsSettings } from '../../infra/stack-config.js';

const PROJECT_DIR = new URL('../..', import.meta.url).pathname;
const AWS_PLAN = 'plans/rc-2026-12-1.aws.yaml';

const base: Record<string, string> = {
  'aws:region': 'eu-west-1',
  'rehearsal:plan': AWS_PLAN,
  'rehearsal:availabilityZones': '["eu-west-1a","eu-west-1b"]',
  'rehearsal:database': JSON.stringify({ snapshotIdentifier: 'snap', databaseName: 'Billing' }),
  'rehearsal:databasePassword': 'pw',
  'rehearsal:rehearsalHost': JSON.stringify({ bundlePath: 'bundle.tgz', imageId: 'ami-0123456789abcdef0' }),
};

function read(config: Record<string, string | undefined>, projectDir = PROJECT_DIR): ReturnType<typeof readAwsSettings> {
  const entries = Object.entries({ ...base, ...config }).filter((e): e is [string, string] => e[1] !== undefined);
  pulumi.runtime.setAllConfig(Object.fromEntries(entries), ['rehearsal:databasePassword']);
  return readAwsSettings(new pulumi.Config('rehearsal'), new pulumi.Config('aws'), projectDir, 'rc-9');
}

t.test('defaults fill what a stack file leaves out', async (t) => {
  const settings = read({});
  t.match(settings, {
    stackName: 'rc-9',
    vpcCidr: '10.213.0.0/16',
    naclRuleLimit: 20,
    sinkholeResponse: 'sinkhole',
    database: { source: { kind: 'snapshot', snapshotIdentifier: 'snap' } },
    rehearsalHost: { bundlePath: join(PROJECT_DIR, 'bundle.tgz'), imageId: 'ami-0123456789abcdef0' },
  });
  t.notOk(settings.appHost, 'no app host unless configured');
});

t.test('the plan named by rehearsal:plan is the one source of the release candidate, egress and connection variable', async (t) => {
  const settings = read({});
  t.equal(settings.releaseCandidate, 'rc-2026-12-1');
  t.same(settings.egress.switchCidrs, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], 'switch networks from the plan');
  t.same(settings.egress.mailServers, ['mail.northwind-telecom.example', 'smtp.billing.example.com'], 'mail servers from the plan');
  t.same(settings.egress.switches.map((s) => s.ports), [[2208], [5060], [2208, 2209]], 'switch ports from the plan');
  t.equal(settings.database.connectionStringEnv, 'REHEARSAL_MSSQL_CONNECTION');
  t.match(settings.plan, { fileInBundle: AWS_PLAN, text: readFileSync(join(PROJECT_DIR, AWS_PLAN), 'utf8') }, 'the host runs the same file');
});

t.test('settings that would be a second source are refused', async (t) => {
  t.throws(() => read({ 'rehearsal:releaseCandidate': 'rc-9' }), /`rehearsal:releaseCandidate` duplicates the release candidate.*one source/);
  t.throws(() => read({ 'rehearsal:egress': JSON.stringify({ switchCidrs: ['10.0.0.0/8'] }) }), /`rehearsal:egress` duplicates/);
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ snapshotIdentifier: 's', databaseName: 'B', connectionStringEnv: 'OTHER' }) }), /connectionStringEnv` duplicates/);
  t.throws(() => read({ 'rehearsal:rehearsalHost': JSON.stringify({ bundlePath: 'b.tgz', imageId: 'ami-0123456789abcdef0', planFile: 'plans/other.yaml' }) }), /planFile` is gone/);
});

t.test('the plan must exist, be an AWS plan and lie inside the project', async (t) => {
  t.throws(() => read({ 'rehearsal:plan': undefined }), /`rehearsal:plan` is missing/);
  t.throws(() => read({ 'rehearsal:plan': 'plans/no-such.yaml' }), /does not exist/);
  t.throws(() => read({ 'rehearsal:plan': '/etc/hostname' }), /outside the project/);
  t.throws(() => read({ 'rehearsal:plan': 'plans/example-local.yaml' }), /is not an AWS plan/);
});

t.test('the host AMI is pinned in the stack settings, never looked up as "latest"', async (t) => {
  t.throws(() => read({ 'rehearsal:rehearsalHost': JSON.stringify({ bundlePath: 'b.tgz' }) }), /`rehearsal:rehearsalHost.imageId` is missing/);
  t.throws(() => read({ 'rehearsal:rehearsalHost': JSON.stringify({ bundlePath: 'b.tgz', imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest' }) }), /not an AMI id/);
});

t.test('missing or contradictory settings name the key to fix', async (t) => {
  t.throws(() => read({ 'aws:region': undefined }), /`aws:region` is missing/);
  t.throws(() => read({ 'rehearsal:availabilityZones': '["eu-west-1a"]' }), /exactly two availability zones/);
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ databaseName: 'Billing' }) }), /rehearsal:database.snapshotIdentifier/);
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ snapshotIdentifier: 's', bak: { bucket: 'b' }, databaseName: 'B' }) }), /both `snapshotIdentifier` and `bak`/);
  t.throws(() => read({ 'rehearsal:sinkholeResponse': 'drop' }), /use `sinkhole`.*or `nxdomain`/);
});

t.test('a .bak source needs its engine version', async (t) => {
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ bak: { bucket: 'b', key: 'k.bak', majorEngineVersion: '16.00' }, databaseName: 'B' }) }), /bak.engineVersion/);
  const settings = read({ 'rehearsal:database': JSON.stringify({ bak: { bucket: 'b', key: 'k.bak', engineVersion: '16.00.4175.1.v1', majorEngineVersion: '16.00' }, databaseName: 'B' }) });
  t.match(settings.database.source, { kind: 'bak', engine: 'sqlserver-se', allocatedStorageGb: 200 });
});

t.test('a plan under another project directory works from that directory', async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'plans'));
  writeFileSync(join(dir, 'plans', 'p.aws.yaml'), readFileSync(join(PROJECT_DIR, AWS_PLAN), 'utf8').replace('../sanitize/sample-platform.yaml', join(PROJECT_DIR, 'sanitize/sample-platform.yaml')));
  t.equal(read({ 'rehearsal:plan': 'plans/p.aws.yaml' }, dir).plan.fileInBundle, 'plans/p.aws.yaml');
});

t.test('the local stack takes the release candidate from the plan it names', async (t) => {
  const { readLocalSettings } = await import('../../infra/stack-config.js');
  pulumi.runtime.setAllConfig({ 'rehearsal:target': 'local', 'rehearsal:plan': 'plans/example-local.yaml' });
  t.match(readLocalSettings(new pulumi.Config('rehearsal'), PROJECT_DIR), { target: 'local', releaseCandidate: 'rc-7-5-0-1', planPath: /plans\/example-local\.yaml$/ });
  pulumi.runtime.setAllConfig({ 'rehearsal:plan': 'plans/no-such-plan.yaml' });
  t.throws(() => readLocalSettings(new pulumi.Config('rehearsal'), PROJECT_DIR), /does not exist/);
});
