import * as pulumi from '@pulumi/pulumi';
import t from 'tap';
import { readAwsSettings } from '../../infra/stack-config.js';

const base: Record<string, string> = {
  'aws:region': 'eu-west-1',
  'rehearsal:releaseCandidate': 'rc-9',
  'rehearsal:availabilityZones': '["eu-west-1a","eu-west-1b"]',
  'rehearsal:database': JSON.stringify({ snapshotIdentifier: 'snap', databaseName: 'Billing' }),
  'rehearsal:databasePassword': 'pw',
  'rehearsal:rehearsalHost': JSON.stringify({ bundlePath: 'bundle.tgz', planFile: 'plans/p.yaml' }),
};

function read(config: Record<string, string | undefined>): ReturnType<typeof readAwsSettings> {
  const entries = Object.entries({ ...base, ...config }).filter((e): e is [string, string] => e[1] !== undefined);
  pulumi.runtime.setAllConfig(Object.fromEntries(entries), ['rehearsal:databasePassword']);
  return readAwsSettings(new pulumi.Config('rehearsal'), new pulumi.Config('aws'), '/project');
}

t.test('defaults fill what a stack file leaves out', async (t) => {
  const settings = read({});
  t.match(settings, {
    releaseCandidate: 'rc-9',
    vpcCidr: '10.213.0.0/16',
    naclRuleLimit: 20,
    sinkholeResponse: 'sinkhole',
    egress: { policy: 'deny-all', allowlist: [], switchCidrs: [] },
    database: { source: { kind: 'snapshot', snapshotIdentifier: 'snap' }, connectionStringEnv: 'REHEARSAL_MSSQL_CONNECTION' },
    rehearsalHost: { bundlePath: '/project/bundle.tgz' },
  });
  t.notOk(settings.appHost, 'no app host unless configured');
});

t.test('missing or contradictory settings name the key to fix', async (t) => {
  t.throws(() => read({ 'rehearsal:releaseCandidate': undefined }), /`rehearsal:releaseCandidate` is missing/);
  t.throws(() => read({ 'aws:region': undefined }), /`aws:region` is missing/);
  t.throws(() => read({ 'rehearsal:availabilityZones': '["eu-west-1a"]' }), /exactly two availability zones/);
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ databaseName: 'Billing' }) }), /rehearsal:database.snapshotIdentifier/);
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ snapshotIdentifier: 's', bak: { bucket: 'b' }, databaseName: 'B' }) }), /both `snapshotIdentifier` and `bak`/);
  t.throws(() => read({ 'rehearsal:sinkholeResponse': 'drop' }), /use `sinkhole`.*or `nxdomain`/);
  t.throws(() => read({ 'rehearsal:plan': 'plans/p.yaml' }), /Keep one source/);
});

t.test('a .bak source needs its engine version', async (t) => {
  t.throws(() => read({ 'rehearsal:database': JSON.stringify({ bak: { bucket: 'b', key: 'k.bak', majorEngineVersion: '16.00' }, databaseName: 'B' }) }), /bak.engineVersion/);
  const settings = read({ 'rehearsal:database': JSON.stringify({ bak: { bucket: 'b', key: 'k.bak', engineVersion: '16.00.4175.1.v1', majorEngineVersion: '16.00' }, databaseName: 'B' }) });
  t.match(settings.database.source, { kind: 'bak', engine: 'sqlserver-se', allocatedStorageGb: 200 });
});

t.test('the local stack takes the release candidate from the plan it names', async (t) => {
  const { readLocalSettings } = await import('../../infra/stack-config.js');
  const projectDir = new URL('../..', import.meta.url).pathname;
  pulumi.runtime.setAllConfig({ 'rehearsal:target': 'local', 'rehearsal:plan': 'plans/example-local.yaml' });
  t.match(readLocalSettings(new pulumi.Config('rehearsal'), projectDir), { target: 'local', releaseCandidate: 'rc-7-5-0-1', planPath: /plans\/example-local\.yaml$/ });
  pulumi.runtime.setAllConfig({ 'rehearsal:plan': 'plans/no-such-plan.yaml' });
  t.throws(() => readLocalSettings(new pulumi.Config('rehearsal'), projectDir), /does not exist/);
});
