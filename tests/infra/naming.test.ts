import t from 'tap';
import { databaseIdentifier, hostRoleName, snapshotCopyIdentifier, stackPrefix } from '../../infra/naming.js';

const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

t.test('names derive from the stack and fit RDS and IAM', async (t) => {
  t.equal(databaseIdentifier('rc-2026-12-1'), 'rehearsal-rc-2026-12-1-db');
  t.equal(hostRoleName('rc-2026-12-1', 'rehearsal-host'), 'rehearsal-rc-2026-12-1-rehearsal-host');
  for (const stack of ['rc-2026-12-1', 'RC_7.5.0--candidate', 'x'.repeat(200), 'org/project/rc-1', '---']) {
    t.match(databaseIdentifier(stack), RDS_IDENTIFIER, `${stack.slice(0, 20)}: a valid RDS identifier`);
    t.ok(hostRoleName(stack, 'rehearsal-host').length <= 64, `${stack.slice(0, 20)}: a valid IAM role name`);
  }
  t.not(stackPrefix('RC-1'), stackPrefix('rc-1'), 'a rewritten name keeps a digest of the original, so two stacks never share one');
  t.equal(databaseIdentifier('rc-1'), databaseIdentifier('rc-1'), 'the same stack finds the same instance on a re-run');
});

t.test('each source snapshot gets its own copy name (no DBSnapshotAlreadyExists on a new snapshot)', async (t) => {
  const arn = 'arn:aws:rds:eu-west-1:123456789012:snapshot:billing-prod';
  const first = snapshotCopyIdentifier('rc-1', arn, '2026-11-30T22:00:00Z');
  t.equal(first, snapshotCopyIdentifier('rc-1', arn, '2026-11-30T22:00:00Z'), 'stable for the same snapshot');
  t.not(first, snapshotCopyIdentifier('rc-1', arn, '2026-12-31T22:00:00Z'), 'a new snapshot under the same name gets a new copy');
  t.not(first, snapshotCopyIdentifier('rc-1', `${arn}-b`, '2026-11-30T22:00:00Z'));
  t.match(first, RDS_IDENTIFIER);
});
