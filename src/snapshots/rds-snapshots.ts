import type { BackupCandidate } from './types.js';

/**
 * An RDS DB snapshot as both sides see it: `aws rds describe-db-snapshots` on an operator's
 * machine and `aws.rds.getSnapshots` in the Pulumi program map to this, so both pick alike.
 */
export interface RdsSnapshotInfo {
  readonly identifier: string;
  /** When this snapshot was created; for a copy, when it was copied. */
  readonly createTime: string;
  /** For a copy, when the snapshot it was copied from was taken: the state it holds. */
  readonly originalCreateTime?: string;
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** `aws rds describe-db-snapshots --output json`. */
export interface DescribeDbSnapshotsOutput {
  readonly DBSnapshots?: readonly {
    readonly DBSnapshotIdentifier?: string;
    readonly DBSnapshotArn?: string;
    readonly SnapshotCreateTime?: string;
    readonly OriginalSnapshotCreateTime?: string;
    readonly Status?: string;
    readonly TagList?: readonly { readonly Key?: string; readonly Value?: string }[];
  }[];
}

export function fromDescribeDbSnapshots(output: DescribeDbSnapshotsOutput): RdsSnapshotInfo[] {
  return (output.DBSnapshots ?? []).map((s) => ({
    // A shared snapshot is restored by its ARN; an own one by its identifier.
    identifier: s.DBSnapshotIdentifier ?? s.DBSnapshotArn ?? '',
    createTime: s.SnapshotCreateTime ?? '',
    ...(s.OriginalSnapshotCreateTime !== undefined ? { originalCreateTime: s.OriginalSnapshotCreateTime } : {}),
    status: s.Status ?? '',
    tags: Object.fromEntries((s.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  }));
}

/** `aws.rds.getSnapshots(...).snapshots` in the Pulumi program (the fields this choice reads). */
export interface PulumiSnapshot {
  readonly dbSnapshotIdentifier: string;
  readonly snapshotCreateTime: string;
  readonly originalSnapshotCreateTime: string;
  readonly status: string;
  readonly tagLists: readonly { readonly key: string; readonly value: string }[];
}

export function fromPulumiSnapshots(snapshots: readonly PulumiSnapshot[]): RdsSnapshotInfo[] {
  return snapshots.map((s) => ({
    identifier: s.dbSnapshotIdentifier,
    createTime: s.snapshotCreateTime,
    ...(s.originalSnapshotCreateTime !== '' ? { originalCreateTime: s.originalSnapshotCreateTime } : {}),
    status: s.status,
    tags: Object.fromEntries(s.tagLists.map((t) => [t.key, t.value])),
  }));
}

/**
 * The snapshots carrying every wanted tag, each timed by when the state it holds was taken (the
 * original's create time for a copy). One that is not `available` yet (creating, copying) is a
 * candidate with a problem: it may be the right one, so the selection stops rather than pass it by.
 */
export function rdsSnapshotCandidates(snapshots: readonly RdsSnapshotInfo[], wanted: Readonly<Record<string, string>>): BackupCandidate[] {
  const wantedTags = Object.entries(wanted);
  return snapshots
    .filter((s) => wantedTags.every(([key, value]) => s.tags[key] === value))
    .map((s): BackupCandidate => {
      if (s.status !== 'available') return { id: s.identifier, problem: `its status is ${s.status || 'unknown'}, not available` };
      const taken = s.originalCreateTime ?? s.createTime;
      const time = Date.parse(taken);
      if (Number.isNaN(time)) return { id: s.identifier, problem: `its create time ${JSON.stringify(taken)} is not a time` };
      return { id: s.identifier, takenAt: new Date(time).toISOString(), timeSource: 'RDS snapshot create time' };
    });
}
