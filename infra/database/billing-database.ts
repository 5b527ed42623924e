import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { UserError } from '../../src/errors.js';
import { databaseIdentifier, snapshotCopyIdentifier } from '../naming.js';
import { releaseCandidateTags } from '../tags.js';

/** Production's DB snapshot (name or ARN, own or shared with this account). */
export interface SnapshotSource {
  readonly kind: 'snapshot';
  readonly snapshotIdentifier: string;
}

/** A native SQL Server backup in S3, restored with `msdb.dbo.rds_restore_database`. */
export interface BakSource {
  readonly kind: 'bak';
  readonly bucketName: string;
  readonly objectKey: string;
  /** Set when the .bak was written with KMS encryption. */
  readonly kmsKeyArn?: string;
  /** e.g. `sqlserver-se`; must match the edition the production license allows. */
  readonly engine: string;
  readonly engineVersion: string;
  /** e.g. `16.00`; the option group is per major version. */
  readonly majorEngineVersion: string;
  readonly allocatedStorageGb: number;
}

export interface BillingDatabaseArgs {
  readonly releaseCandidate: string;
  /** Pulumi stack name: the instance identifier and the snapshot copy's name derive from it. */
  readonly stackName: string;
  readonly subnetIds: pulumi.Input<string>[];
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly instanceClass: string;
  /** Master user of a .bak restore; a snapshot restore keeps the snapshot's. */
  readonly masterUsername: string;
  /** A Pulumi secret; it never appears in outputs or logs. */
  readonly masterPassword: pulumi.Input<string>;
  readonly source: SnapshotSource | BakSource;
}

/** The snapshot's engine when it is SQL Server (any edition); restoring anything else would rehearse nothing. */
export function sqlServerEngine(engine: string, snapshotIdentifier: string): string {
  if (!engine.startsWith('sqlserver-')) {
    throw new UserError(
      `DB snapshot ${snapshotIdentifier} is a ${engine} snapshot, not SQL Server. Set \`rehearsal:snapshotIdentifier\` to a snapshot of the billing platform's SQL Server instance.`,
    );
  }
  return engine;
}

// A SQL Server restore takes 40 to 75 minutes, plus the snapshot copy; the provider's defaults give up sooner.
const TIMEOUTS = { create: '240m', update: '120m', delete: '120m' };

/**
 * RDS for SQL Server holding the copy of production. The instance is private, encrypted with a
 * key of this stack, keeps no backups (a restored instance with backups on makes `pulumi up`
 * wait hours for the first one) and leaves nothing behind on destroy.
 */
export class BillingDatabase extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly instanceIdentifier: pulumi.Output<string>;
  /** For a snapshot, production's master user (its password is reset to the stack secret). */
  readonly masterUsername: pulumi.Output<string>;
  /** Engine and edition, e.g. `sqlserver-se`; for a snapshot, the snapshot's own. */
  readonly engine: pulumi.Output<string>;
  /** Changes whenever the data the instance starts from changes; restore and sanitize re-run on it. */
  readonly sourceVersion: pulumi.Output<string>;
  /** `s3://` ARN of the .bak for the restore step; empty for snapshot restores. */
  readonly bakS3Arn: string;

  constructor(name: string, args: BillingDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:database:BillingDatabase', name, {}, opts);
    const child = { parent: this };
    const tags = (suffix: string): Record<string, string> => releaseCandidateTags(args.releaseCandidate, `${name}-${suffix}`);

    const key = new aws.kms.Key(
      `${name}-storage`,
      { description: `Storage of the rehearsal database for ${args.releaseCandidate}`, deletionWindowInDays: 7, enableKeyRotation: true, tags: tags('storage') },
      child,
    );
    const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags: tags('subnets') }, child);
    const common = {
      // Deterministic: the host's plan names this instance's endpoint before the instance exists.
      identifier: databaseIdentifier(args.stackName),
      instanceClass: args.instanceClass,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: args.securityGroupIds,
      publiclyAccessible: false,
      storageEncrypted: true,
      kmsKeyId: key.arn,
      multiAz: false,
      // With retention above 0 RDS takes a full backup right after a snapshot restore and the instance
      // stays in backing-up for hours (terraform-provider-aws #44104); a rehearsal copy needs none.
      backupRetentionPeriod: 0,
      deletionProtection: false,
      skipFinalSnapshot: true,
      applyImmediately: true,
      autoMinorVersionUpgrade: false,
      copyTagsToSnapshot: false,
      licenseModel: 'license-included',
      password: pulumi.secret(args.masterPassword),
      tags: tags('instance'),
    };
    // A fixed identifier cannot exist twice: a replacement (new snapshot, new engine) deletes the old instance first.
    const instanceOpts = { ...child, customTimeouts: TIMEOUTS, deleteBeforeReplace: true };

    let instance: aws.rds.Instance;
    if (args.source.kind === 'snapshot') {
      const source = aws.rds.getSnapshotOutput({ dbSnapshotIdentifier: args.source.snapshotIdentifier, includeShared: true }, child);
      const sourceName = args.source.snapshotIdentifier;
      const engine = source.engine.apply((value) => sqlServerEngine(value, sourceName));
      // The copy belongs to this stack: it is encrypted with the stack's key even when the source is not, and destroy removes it.
      const copy = new aws.rds.SnapshotCopy(
        `${name}-source-copy`,
        {
          sourceDbSnapshotIdentifier: source.dbSnapshotArn,
          targetDbSnapshotIdentifier: pulumi
            .all([source.dbSnapshotArn, source.snapshotCreateTime])
            .apply(([arn, created]) => snapshotCopyIdentifier(args.stackName, arn, created)),
          kmsKeyId: key.arn,
          tags: tags('source-copy'),
        },
        { ...child, customTimeouts: TIMEOUTS },
      );
      instance = new aws.rds.Instance(
        `${name}-instance`,
        { ...common, snapshotIdentifier: copy.id, engine, engineVersion: source.engineVersion },
        instanceOpts,
      );
      this.sourceVersion = pulumi.interpolate`${source.dbSnapshotArn}@${source.snapshotCreateTime}`;
      this.bakS3Arn = '';
    } else {
      const bak = args.source;
      const objectArn = `arn:aws:s3:::${bak.bucketName}/${bak.objectKey}`;
      const role = new aws.iam.Role(
        `${name}-backup-restore`,
        {
          description: 'Lets RDS read the native SQL Server backup for the rehearsal',
          assumeRolePolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
          tags: tags('backup-restore'),
        },
        child,
      );
      // The restore subset of the permissions AWS documents for SQLSERVER_BACKUP_RESTORE: read, never write.
      const statements: object[] = [
        { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: `arn:aws:s3:::${bak.bucketName}` },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectAttributes'], Resource: objectArn },
      ];
      if (bak.kmsKeyArn !== undefined) statements.push({ Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:Decrypt'], Resource: bak.kmsKeyArn });
      const access = new aws.iam.RolePolicy(
        `${name}-backup-restore`,
        { role: role.id, policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
        child,
      );
      const options = new aws.rds.OptionGroup(
        `${name}-backup-restore`,
        {
          engineName: bak.engine,
          majorEngineVersion: bak.majorEngineVersion,
          optionGroupDescription: 'Native backup restore for the rehearsal',
          options: [{ optionName: 'SQLSERVER_BACKUP_RESTORE', optionSettings: [{ name: 'IAM_ROLE_ARN', value: role.arn }] }],
          tags: tags('backup-restore'),
        },
        { ...child, dependsOn: [access] },
      );
      instance = new aws.rds.Instance(
        `${name}-instance`,
        {
          ...common,
          engine: bak.engine,
          engineVersion: bak.engineVersion,
          allocatedStorage: bak.allocatedStorageGb,
          storageType: 'gp3',
          username: args.masterUsername,
          optionGroupName: options.name,
        },
        instanceOpts,
      );
      const backup = aws.s3.getObjectOutput({ bucket: bak.bucketName, key: bak.objectKey }, child);
      this.sourceVersion = pulumi.interpolate`s3://${bak.bucketName}/${bak.objectKey}@${backup.etag}`;
      this.bakS3Arn = objectArn;
    }

    this.engine = instance.engine;
    this.masterUsername = instance.username;
    this.address = instance.address;
    this.port = instance.port;
    this.instanceIdentifier = instance.identifier;
    this.registerOutputs({ engine: this.engine, address: this.address, port: this.port, instanceIdentifier: this.instanceIdentifier, sourceVersion: this.sourceVersion });
  }
}
