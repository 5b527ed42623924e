// Variant: restore from a native .bak in S3 (SQLSERVER_BACKUP_RESTORE), no app host.
import t from 'tap';
import { awsSettings, testCatalogue } from './fixtures.js';
import { collectResources, installMocks, ofType } from './harness.js';
import { checkIsolationInvariants } from './invariants.js';

await installMocks();
const { createAwsEnvironment } = await import('../../infra/aws-environment.js');
const settings = awsSettings({
  database: {
    ...awsSettings().database,
    source: {
      kind: 'bak',
      bucketName: 'billing-backups',
      objectKey: 'prod/pre-bill-run.bak',
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/backup',
      engine: 'sqlserver-se',
      engineVersion: '16.00.4175.1.v1',
      majorEngineVersion: '16.00',
      allocatedStorageGb: 300,
    },
  },
});
const { resources, outputs } = await collectResources(createAwsEnvironment(settings, testCatalogue));

t.test('isolation invariants hold for a .bak restore', async (t) => {
  await checkIsolationInvariants(t, resources, {
    allowlisted: false,
    catalogue: testCatalogue,
    mailServers: settings.egress.mailServers,
    switchCidrs: settings.egress.switchCidrs,
    releaseCandidate: 'rc-test-1',
  });
});

t.test('the instance gets the backup-restore option with a read-only role for RDS', async (t) => {
  t.same(ofType(resources, 'aws:rds/snapshotCopy:SnapshotCopy'), [], 'no snapshot copy');
  const [options] = ofType(resources, 'aws:rds/optionGroup:OptionGroup');
  t.match(options?.inputs, { engineName: 'sqlserver-se', majorEngineVersion: '16.00', options: [{ optionName: 'SQLSERVER_BACKUP_RESTORE', optionSettings: [{ name: 'IAM_ROLE_ARN' }] }] });
  const role = ofType(resources, 'aws:iam/role:Role').find((r) => r.name === 'billing-backup-restore');
  t.match(JSON.parse(role?.inputs.assumeRolePolicy).Statement[0].Principal, { Service: 'rds.amazonaws.com' }, 'only RDS can assume the role');
  const policy = JSON.parse(ofType(resources, 'aws:iam/rolePolicy:RolePolicy').find((r) => r.name === 'billing-backup-restore')?.inputs.policy) as {
    Statement: { Action: string[]; Resource: string }[];
  };
  t.same(
    policy.Statement.map((s) => [s.Resource, s.Action]),
    [
      ['arn:aws:s3:::billing-backups', ['s3:ListBucket', 's3:GetBucketLocation']],
      ['arn:aws:s3:::billing-backups/prod/pre-bill-run.bak', ['s3:GetObject', 's3:GetObjectAttributes']],
      ['arn:aws:kms:eu-west-1:123456789012:key/backup', ['kms:DescribeKey', 'kms:Decrypt']],
    ],
    'read the one backup and decrypt it; nothing can be written',
  );
  const [db] = ofType(resources, 'aws:rds/instance:Instance');
  t.match(db?.inputs, { engine: 'sqlserver-se', allocatedStorage: 300, username: 'rehearsal_admin', optionGroupName: 'billing-backup-restore' });
  t.notOk(db?.inputs.snapshotIdentifier);
});

t.test('the restore step gets the .bak location and re-runs when the backup object changes', async (t) => {
  const restore = ofType(resources, 'command:local:Command').find((c) => c.name === 'restore');
  const script = JSON.parse(restore?.inputs.environment.REHEARSAL_HOST_SCRIPT) as string[];
  t.ok(script.includes('export REHEARSAL_BAK_S3_ARN=arn:aws:s3:::billing-backups/prod/pre-bill-run.bak'));
  t.ok(script.includes('export REHEARSAL_RESTORE_SOURCE=native-backup'));
  t.equal(restore?.inputs.triggers[0], 's3://billing-backups/prod/pre-bill-run.bak@bak-etag');
  t.equal(outputs['appHostInstanceId'], null, 'no app host unless configured');
  t.same(ofType(resources, 'rehearsal:host:AppHost'), []);
});
