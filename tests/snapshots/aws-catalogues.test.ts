import t from 'tap';
import { fromDescribeDbSnapshots, rdsSnapshotCandidates } from '../../src/snapshots/rds-snapshots.js';
import { s3PrefixCandidates } from '../../src/snapshots/s3-prefix.js';
import { selectBackup } from '../../src/snapshots/select.js';
import { loadPlan } from '../../src/plan/load.js';
import { preflight } from '../../src/preflight/preflight.js';
import { resolveSnapshot } from '../../src/snapshots/resolve.js';
import { pickRdsSnapshot } from '../../infra/database/snapshot-catalogue.js';
import { mssqlPlanText, makePlanDir } from '../helpers/plan-fixture.js';

/**
 * No AWS here: these are the selection rules on fixtures shaped like `aws rds describe-db-snapshots`,
 * `aws s3api list-objects-v2` / `head-object` and `aws.rds.getSnapshots`. The CLI calls themselves
 * (src/snapshots/aws-listing.ts) and the Pulumi invoke have not run against AWS.
 */
const START = '2026-11-01T02:00:00.000Z';
const FROM = 'the plan, snapshot.billRunStartedAt';
const TAGS = { app: 'engageip', env: 'production' };

const describeOutput = {
  DBSnapshots: [
    { DBSnapshotIdentifier: 'rds:engageip-2026-10-31-01-00', SnapshotCreateTime: '2026-10-31T01:00:00.000Z', Status: 'available', TagList: [{ Key: 'app', Value: 'engageip' }, { Key: 'env', Value: 'production' }] },
    // A copy made after the bill run of a snapshot taken before it: the state it holds is the original's.
    { DBSnapshotIdentifier: 'engageip-2026-11-01-copy', SnapshotCreateTime: '2026-11-01T05:00:00.000Z', OriginalSnapshotCreateTime: '2026-11-01T01:30:00.000Z', Status: 'available', TagList: [{ Key: 'app', Value: 'engageip' }, { Key: 'env', Value: 'production' }] },
    { DBSnapshotIdentifier: 'rds:engageip-2026-11-02-01-00', SnapshotCreateTime: '2026-11-02T01:00:00.000Z', Status: 'available', TagList: [{ Key: 'app', Value: 'engageip' }, { Key: 'env', Value: 'production' }] },
    // Another database's snapshot, newer and before the bill run: not in the catalogue.
    { DBSnapshotIdentifier: 'crm-2026-11-01', SnapshotCreateTime: '2026-11-01T01:50:00.000Z', Status: 'available', TagList: [{ Key: 'app', Value: 'crm' }, { Key: 'env', Value: 'production' }] },
    { DBSnapshotIdentifier: 'engageip-staging', SnapshotCreateTime: '2026-11-01T01:55:00.000Z', Status: 'available', TagList: [{ Key: 'app', Value: 'engageip' }, { Key: 'env', Value: 'staging' }] },
  ],
};

t.test('RDS: only snapshots with every tag; a copy is timed by its original; the newest before the bill run is picked', async (t) => {
  const candidates = rdsSnapshotCandidates(fromDescribeDbSnapshots(describeOutput), TAGS);
  t.same(candidates.map((c) => c.id), ['rds:engageip-2026-10-31-01-00', 'engageip-2026-11-01-copy', 'rds:engageip-2026-11-02-01-00']);
  const selection = selectBackup({ candidates, billRunStartedAt: START, billRunStartedFrom: FROM, maxAgeHours: 24 });
  t.equal(selection.picked?.id, 'engageip-2026-11-01-copy');
  t.equal(selection.picked?.takenAt, '2026-11-01T01:30:00.000Z');
  t.equal(selection.warning, undefined, 'an RDS create time is the backup\'s own');
});

t.test('RDS: a matching snapshot still being created stops the pick', async (t) => {
  const creating = { DBSnapshots: [...describeOutput.DBSnapshots, { DBSnapshotIdentifier: 'engageip-manual', SnapshotCreateTime: '2026-11-01T01:45:00.000Z', Status: 'creating', TagList: [{ Key: 'app', Value: 'engageip' }, { Key: 'env', Value: 'production' }] }] };
  const selection = selectBackup({ candidates: rdsSnapshotCandidates(fromDescribeDbSnapshots(creating), TAGS), billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(selection.picked, undefined);
  t.match(selection.refusal, /cannot tell when engageip-manual was taken \(its status is creating, not available\)/);
});

t.test('the Pulumi program picks the same snapshot from aws.rds.getSnapshots, and refuses alike', async (t) => {
  const dir = makePlanDir();
  t.teardown(() => dir.cleanup());
  const text = mssqlPlanText('catalogue:\n    rdsSnapshots:\n      tags: { app: engageip, env: production }\n      database: EngageIP\n  billRunStartedAt: 2026-11-01T02:00:00Z').replace('target: local', 'target: aws');
  const plan = loadPlan(dir.write('aws.yaml', text));
  const pulumiShape = describeOutput.DBSnapshots.map((s) => ({
    dbSnapshotIdentifier: s.DBSnapshotIdentifier,
    snapshotCreateTime: s.SnapshotCreateTime,
    originalSnapshotCreateTime: 'OriginalSnapshotCreateTime' in s ? String(s.OriginalSnapshotCreateTime) : '',
    status: s.Status,
    tagLists: s.TagList.map((tag) => ({ key: tag.Key, value: tag.Value })),
  }));
  const asked: unknown[] = [];
  const picked = await pickRdsSnapshot(plan, async (args) => (asked.push(args), { snapshots: pulumiShape as never }));
  t.equal(picked?.snapshotIdentifier, 'engageip-2026-11-01-copy');
  t.same(asked, [{ includeShared: true }]);
  await t.rejects(pickRdsSnapshot(plan, async () => ({ snapshots: pulumiShape.slice(2) as never })), { exitCode: 2, message: /none of the 1 backups was taken before/ });

  const withoutStart = text.replace('\n  billRunStartedAt: 2026-11-01T02:00:00Z', '');
  t.throws(() => loadPlan(dir.write('aws-no-start.yaml', withoutStart)), { message: /aws-no-start\.yaml:\d+:\d+: the Pulumi program picks the RDS DB snapshot before production's result can be read/ });
});

t.test('S3 prefix: .bak objects directly under it, timed by recorded metadata, else by upload time with a warning', async (t) => {
  const listing = {
    Contents: [
      { Key: 'billing/2026-10-31.bak', LastModified: '2026-10-31T01:10:00.000Z' },
      { Key: 'billing/2026-11-01.bak', LastModified: '2026-11-01T03:00:00.000Z' },
      { Key: 'billing/2026-11-01.bak.md5', LastModified: '2026-11-01T03:00:00.000Z' },
      { Key: 'billing/archive/2026-11-01-0130.bak', LastModified: '2026-11-01T01:40:00.000Z' },
    ],
  };
  // The upload of 2026-11-01.bak finished after the bill run started, but the backup itself before it.
  const metadata = { 'billing/2026-11-01.bak': { 'backup-finish-date': '2026-11-01T01:20:00Z' } };
  const candidates = s3PrefixCandidates('arn:aws:s3:::northwind-backups/billing/', listing, metadata);
  t.same(candidates.map((c) => [c.id, c.takenAt, c.timeSource]), [
    ['arn:aws:s3:::northwind-backups/billing/2026-10-31.bak', '2026-10-31T01:10:00.000Z', 'S3 upload time'],
    ['arn:aws:s3:::northwind-backups/billing/2026-11-01.bak', '2026-11-01T01:20:00.000Z', 'recorded time'],
  ]);
  const selection = selectBackup({ candidates, billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(selection.picked?.id, 'arn:aws:s3:::northwind-backups/billing/2026-11-01.bak');
  t.equal(selection.warning, undefined);
  const uploadOnly = selectBackup({ candidates: s3PrefixCandidates('arn:aws:s3:::northwind-backups/billing/', listing, {}), billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(uploadOnly.picked?.id, 'arn:aws:s3:::northwind-backups/billing/2026-10-31.bak');
  t.match(uploadOnly.warning, /S3 upload time/);
  const bad = s3PrefixCandidates('arn:aws:s3:::northwind-backups/billing/', listing, { 'billing/2026-11-01.bak': { 'backup-finish-date': 'yesterday' } });
  t.match(bad[1]?.problem, /backup-finish-date metadata "yesterday" is not a time with a zone/);
});

t.test('an S3-prefix plan resolves to the picked object; on the AWS host, to the one the Pulumi program picked', async (t) => {
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  const file = planDir.write('s3.yaml', mssqlPlanText('catalogue:\n    s3Prefix: arn:aws:s3:::northwind-backups/billing/\n  billRunStartedAt: 2026-11-01T02:00:00Z'));
  const listAws = async () => s3PrefixCandidates('arn:aws:s3:::northwind-backups/billing/', { Contents: [{ Key: 'billing/a.bak', LastModified: '2026-11-01T01:00:00Z' }] }, { 'billing/a.bak': { 'backup-finish-date': '2026-11-01T00:50:00Z' } });
  const plan = loadPlan(file);
  const resolved = await resolveSnapshot(plan, { listAws, env: {} });
  t.same(resolved.snapshot, { kind: 'rds-s3-backup', s3Arn: 'arn:aws:s3:::northwind-backups/billing/a.bak' });
  const onHost = await resolveSnapshot(plan, { listAws: async () => {
      t.fail('the host does not list');
      return [];
    }, env: { REHEARSAL_RESTORE_SOURCE: 'native-backup', REHEARSAL_BAK_S3_ARN: 'arn:aws:s3:::northwind-backups/billing/a.bak' } });
  t.same(onHost.snapshot, { kind: 'rds-s3-backup', s3Arn: 'arn:aws:s3:::northwind-backups/billing/a.bak' }, 'on the AWS host the Pulumi program\'s pick is taken');
  const checked = await preflight(plan, { askSqlServer: 'when-configured', env: {}, listAws });
  t.match(checked.notes.join('\n'), /S3 prefix arn:aws:s3:::northwind-backups\/billing\/: the backup is picked when the run starts/);
});
