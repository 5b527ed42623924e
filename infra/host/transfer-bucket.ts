import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';

export interface TransferBucketArgs {
  readonly releaseCandidate: string;
  /** Local path of the project bundle (tarball with the scripts, their dependencies and the plan). */
  readonly bundlePath: string;
}

export const BUNDLE_KEY = 'bundle/rehearsal-bundle.tgz';
export const HOST_PLAN_KEY = 'plan/host-plan.yaml';
export const REPORTS_PREFIX = 'reports/';
/** SSM Run Command writes each step's full output here (the API keeps only 24,000 / 8,000 characters). */
export const SSM_OUTPUT_PREFIX = 'ssm-output/';

/**
 * The only way files move between the operator and the isolated VPC: the bundle goes in, reports
 * come out. Private, encrypted, TLS-only, and emptied by `pulumi destroy` (forceDestroy).
 */
export class TransferBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly bundleKey: string = BUNDLE_KEY;
  readonly bundleVersion: pulumi.Output<string>;
  readonly hostPlanKey: string = HOST_PLAN_KEY;
  readonly reportsPrefix: string = REPORTS_PREFIX;
  readonly ssmOutputPrefix: string = SSM_OUTPUT_PREFIX;
  private readonly name: string;
  private readonly tags: Record<string, string>;

  constructor(name: string, args: TransferBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:host:TransferBucket', name, {}, opts);
    const child = { parent: this };
    const tags = releaseCandidateTags(args.releaseCandidate, name);

    const bucket = new aws.s3.Bucket(name, { bucketPrefix: 'rehearsal-', forceDestroy: true, tags }, child);
    new aws.s3.BucketPublicAccessBlock(
      name,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }] },
      child,
    );
    new aws.s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        ),
      },
      child,
    );
    const bundle = new aws.s3.BucketObjectv2(
      `${name}-bundle`,
      { bucket: bucket.id, key: BUNDLE_KEY, source: new pulumi.asset.FileAsset(args.bundlePath), serverSideEncryption: 'aws:kms', tags },
      child,
    );

    this.bucketName = bucket.id;
    this.bucketArn = bucket.arn;
    this.bundleVersion = bundle.etag;
    this.name = name;
    this.tags = tags;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, bundleKey: this.bundleKey, reportsPrefix: this.reportsPrefix });
  }

  /**
   * Puts the plan the host runs next to the bundle. It is declared after the database because it
   * names the database's endpoint. Returns a digest of the text (with SSE-KMS the ETag is no content
   * hash), which re-runs the host steps when the plan changes.
   */
  putHostPlan(text: pulumi.Output<string>): pulumi.Output<string> {
    const plan = new aws.s3.BucketObjectv2(
      `${this.name}-host-plan`,
      { bucket: this.bucketName, key: HOST_PLAN_KEY, content: text, contentType: 'application/yaml', serverSideEncryption: 'aws:kms', tags: this.tags },
      { parent: this },
    );
    return pulumi.all([plan.id, text]).apply(([, content]) => createHash('sha256').update(content).digest('hex'));
  }
}
