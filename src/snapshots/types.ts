/**
 * A snapshot catalogue: several backups of production, of which the rehearsal restores the newest
 * one taken before production's bill run started.
 */
export type CatalogueSource =
  /** SQLite: `.db` files in a folder on this machine. SQL Server: `.bak` files in a folder as the SQL Server service sees it. */
  | { readonly kind: 'folder'; readonly folder: string }
  /** `.bak` objects under an S3 prefix, restored by Amazon RDS (`rds_restore_database`). */
  | { readonly kind: 's3-prefix'; readonly s3Prefix: string }
  /** RDS DB snapshots carrying every one of these tags; Pulumi restores the one picked, and the run attaches `database` in it. */
  | { readonly kind: 'rds-snapshots'; readonly tags: Readonly<Record<string, string>>; readonly database: string };

export interface SnapshotCataloguePlan {
  readonly source: CatalogueSource;
  /** The picked backup may be at most this many hours older than the bill run's start. */
  readonly maxAgeHours?: number;
  /** When production's bill run started (ISO 8601), when the plan says so; otherwise it is read from production's result. */
  readonly billRunStartedAt?: string;
}

/** Where a backup's time was read from, most trustworthy first. */
export type BackupTimeSource =
  | 'backup header (BackupFinishDate)'
  | 'RDS snapshot create time'
  | 'recorded time'
  | 'file modification time'
  | 'S3 upload time';

/** Sources of a time that the backup did not record itself: the pick is reported with a warning. */
export const WEAK_TIME_SOURCES: ReadonlySet<BackupTimeSource> = new Set(['file modification time', 'S3 upload time']);

/** One backup of a catalogue and when it was taken, or why that cannot be told. */
export interface BackupCandidate {
  /** What the restore takes: a path, an S3 ARN or a DB snapshot identifier. */
  readonly id: string;
  /** ISO 8601, UTC. Absent when `problem` says why. */
  readonly takenAt?: string;
  readonly timeSource?: BackupTimeSource;
  /** Where a recorded time came from (a sidecar file, sample.json, object metadata), for the report. */
  readonly recordedIn?: string;
  /** Why the backup's time (or the backup itself) cannot be read: an unreadable header, a damaged sidecar. */
  readonly problem?: string;
}

export type CandidateStatus = 'picked' | 'taken after the bill run started' | 'older than the picked one' | 'older than snapshot.maxAgeHours' | 'unreadable';

export interface JudgedCandidate extends BackupCandidate {
  readonly status: CandidateStatus;
}
