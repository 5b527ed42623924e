import { $ } from 'zx';
import { UserError } from '../errors.js';
import { fromDescribeDbSnapshots, rdsSnapshotCandidates, type DescribeDbSnapshotsOutput } from './rds-snapshots.js';
import { parseS3Prefix, s3PrefixCandidates, type ListObjectsOutput } from './s3-prefix.js';
import type { BackupCandidate } from './types.js';

/** The AWS CLI reads its credentials and region from these; nothing else is passed on. */
const AWS_ENVIRONMENT = ['PATH', 'HOME', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const;

async function awsJson(args: readonly string[]): Promise<unknown> {
  const env = Object.fromEntries(AWS_ENVIRONMENT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
  const result = await $({ nothrow: true, quiet: true, timeout: '120s', env })`aws ${[...args, '--output', 'json']}`;
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n')[0] ?? `exit ${result.exitCode}`;
    throw new UserError(`\`aws ${args.join(' ')}\` failed: ${why}. The snapshot catalogue on AWS is listed with the AWS CLI v2 and the operator's credentials.`);
  }
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as unknown);
}

/** RDS DB snapshots (own and shared) carrying the catalogue's tags. Not run in this repository's tests: there is no AWS here. */
export async function listRdsSnapshots(tags: Readonly<Record<string, string>>): Promise<BackupCandidate[]> {
  const output = (await awsJson(['rds', 'describe-db-snapshots', '--include-shared'])) as DescribeDbSnapshotsOutput;
  return rdsSnapshotCandidates(fromDescribeDbSnapshots(output), tags);
}

/** `.bak` objects under the prefix, with each one's metadata. Not run in this repository's tests: there is no AWS here. */
export async function listS3Backups(arnPrefix: string): Promise<BackupCandidate[]> {
  const { bucket, prefix } = parseS3Prefix(arnPrefix);
  const listing = (await awsJson(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', prefix])) as ListObjectsOutput;
  const metadata: Record<string, Record<string, string>> = {};
  for (const object of listing.Contents ?? []) {
    const key = object.Key;
    if (key === undefined || !key.toLowerCase().endsWith('.bak')) continue;
    const head = (await awsJson(['s3api', 'head-object', '--bucket', bucket, '--key', key])) as { Metadata?: Record<string, string> };
    metadata[key] = head.Metadata ?? {};
  }
  return s3PrefixCandidates(arnPrefix, listing, metadata);
}
