import type { BackupCandidate } from './types.js';

/** The object metadata key (x-amz-meta-backup-finish-date) a backup job may record the backup's finish time in. */
export const BACKUP_FINISH_METADATA = 'backup-finish-date';

/** `aws s3api list-objects-v2 --output json`. */
export interface ListObjectsOutput {
  readonly Contents?: readonly { readonly Key?: string; readonly LastModified?: string }[];
}

/** `s3Prefix` (arn:aws:s3:::bucket/some/prefix/) split into bucket and key prefix. */
export function parseS3Prefix(arn: string): { bucket: string; prefix: string } {
  const match = /^arn:aws[a-z-]*:s3:::([^/]+)\/(.*)$/.exec(arn);
  if (match === null) throw new Error(`unreachable: ${arn} passed the plan schema but is not an S3 ARN`);
  return { bucket: match[1] ?? '', prefix: match[2] ?? '' };
}

/**
 * The `.bak` objects directly under the prefix and when each was taken: the finish time the
 * backup job recorded in the object's metadata, otherwise the upload time (LastModified), which
 * the selection warns about. Amazon RDS cannot read a backup's header without restoring it, so
 * the header's own time is not available here.
 */
export function s3PrefixCandidates(arnPrefix: string, listing: ListObjectsOutput, metadata: Readonly<Record<string, Readonly<Record<string, string>>>>): BackupCandidate[] {
  const { bucket, prefix } = parseS3Prefix(arnPrefix);
  const partition = /^arn:(aws[a-z-]*):/.exec(arnPrefix)?.[1] ?? 'aws';
  return (listing.Contents ?? [])
    .filter((o) => o.Key !== undefined && o.Key.toLowerCase().endsWith('.bak') && !o.Key.slice(prefix.length).includes('/'))
    .map((o): BackupCandidate => {
      const key = o.Key ?? '';
      const id = `arn:${partition}:s3:::${bucket}/${key}`;
      const recorded = metadata[key]?.[BACKUP_FINISH_METADATA];
      if (recorded !== undefined) {
        const time = Date.parse(recorded);
        if (Number.isNaN(time) || !/(Z|[+-]\d{2}:?\d{2})$/.test(recorded)) return { id, problem: `its ${BACKUP_FINISH_METADATA} metadata ${JSON.stringify(recorded.slice(0, 60))} is not a time with a zone` };
        return { id, takenAt: new Date(time).toISOString(), timeSource: 'recorded time', recordedIn: `object metadata ${BACKUP_FINISH_METADATA}` };
      }
      const uploaded = Date.parse(o.LastModified ?? '');
      if (Number.isNaN(uploaded)) return { id, problem: 'S3 reported no LastModified time for it' };
      return { id, takenAt: new Date(uploaded).toISOString(), timeSource: 'S3 upload time' };
    });
}
