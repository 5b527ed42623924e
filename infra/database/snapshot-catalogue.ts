/**
 * The Pulumi side of a plan's snapshot catalogue of RDS DB snapshots: the same choice the
 * rehearsal makes (`src/snapshots/select.ts`), from the snapshots `aws.rds.getSnapshots` lists,
 * so `pulumi up` restores the backup the report names.
 */
import type { GetSnapshotsArgs, GetSnapshotsResult } from '@pulumi/aws/rds/getSnapshots.js';
import { UserError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/types.js';
import { describeCatalogue } from '../../src/plan/sources.js';
import { fromPulumiSnapshots, rdsSnapshotCandidates } from '../../src/snapshots/rds-snapshots.js';
import { selectBackup, SnapshotSelectionError, type SnapshotSelection } from '../../src/snapshots/select.js';

export type ListRdsSnapshots = (args: GetSnapshotsArgs) => Promise<Pick<GetSnapshotsResult, 'snapshots'>>;

async function getSnapshots(args: GetSnapshotsArgs): Promise<Pick<GetSnapshotsResult, 'snapshots'>> {
  const aws = await import('@pulumi/aws');
  return aws.rds.getSnapshots(args);
}

/**
 * The DB snapshot to restore for a plan whose snapshot is `catalogue.rdsSnapshots`, or undefined
 * for any other plan. The program runs before any database exists, so production's bill-run start
 * comes from the plan (`snapshot.billRunStartedAt`, required with this catalogue). Refuses, as the
 * rehearsal does, with every candidate listed.
 */
export async function pickRdsSnapshot(plan: Plan, list: ListRdsSnapshots = getSnapshots): Promise<{ snapshotIdentifier: string; selection: SnapshotSelection } | undefined> {
  if (plan.snapshot.kind !== 'catalogue') return undefined;
  const { catalogue } = plan.snapshot;
  const { source } = catalogue;
  if (source.kind !== 'rds-snapshots') return undefined;
  if (catalogue.billRunStartedAt === undefined) {
    throw new UserError(`${plan.file}: \`snapshot.billRunStartedAt\` is required with \`snapshot.catalogue.rdsSnapshots\`: the Pulumi program picks the snapshot before production's result can be read.`);
  }
  const { snapshots } = await list({ includeShared: true });
  const selection = selectBackup({
    candidates: rdsSnapshotCandidates(fromPulumiSnapshots(snapshots), source.tags),
    billRunStartedAt: catalogue.billRunStartedAt,
    billRunStartedFrom: 'the plan, snapshot.billRunStartedAt',
    ...(catalogue.maxAgeHours !== undefined ? { maxAgeHours: catalogue.maxAgeHours } : {}),
  });
  if (selection.picked === undefined) throw new SnapshotSelectionError(selection, describeCatalogue(source));
  return { snapshotIdentifier: selection.picked.id, selection };
}
