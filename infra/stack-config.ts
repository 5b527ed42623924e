/**
 * Reads `rehearsal:*` stack configuration (and optionally the plan it names) into settings. The
 * components never read config themselves; this is the only place that knows the key names.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { UserError } from '../src/errors.js';
import { loadPlan } from '../src/plan/load.js';
import type { BakSource, SnapshotSource } from './database/billing-database.js';
import type { Plan } from '../src/plan/types.js';
import type { AwsPlanSource, AwsStackSettings, LocalStackSettings, StackSettings } from './settings.js';

interface DatabaseConfig {
  snapshotIdentifier?: string;
  bak?: { bucket?: string; key?: string; kmsKeyArn?: string; engine?: string; engineVersion?: string; majorEngineVersion?: string; allocatedStorageGb?: number };
  instanceClass?: string;
  masterUsername?: string;
  databaseName?: string;
  connectionStringEnv?: string;
}

interface HostConfig {
  instanceType?: string;
  bundlePath?: string;
  imageId?: string;
  planFile?: string;
}

interface AppHostConfig {
  imageId?: string;
  instanceType?: string;
}

function missing(key: string, what: string): UserError {
  return new UserError(`Stack setting \`${key}\` is missing: ${what}. Set it with \`pulumi config set ${key} …\` or in stacks/Pulumi.<stack>.yaml.`);
}

function need<T>(value: T | undefined, key: string, what: string): T {
  if (value === undefined || value === '') throw missing(key, what);
  return value;
}

const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

/**
 * The plan named by `rehearsal:plan` is the one source of the release candidate, its egress
 * (switch networks, mail servers, switch ports) and the connection-string variable: the network,
 * the DNS Firewall, the NACL and the host all read them from it, so they cannot disagree.
 */
function awsPlan(config: pulumi.Config, projectDir: string): { source: AwsPlanSource; plan: Plan; connectionStringEnv: string } {
  for (const [key, what] of [
    ['releaseCandidate', 'the release candidate'],
    ['egress', 'the egress (switch networks, mail servers, switch ports)'],
  ] as const) {
    if (config.get(key) !== undefined) {
      throw new UserError(`Stack setting \`rehearsal:${key}\` duplicates ${what} of the plan named by \`rehearsal:plan\`. Remove it from the stack file; the plan is the one source.`);
    }
  }
  const planSetting = need(config.get('plan'), 'rehearsal:plan', 'the AWS plan file (e.g. plans/rc-2026-12-1.aws.yaml); it names the release candidate, its egress and the host\'s stages');
  const path = resolve(projectDir, planSetting);
  const fileInBundle = relative(projectDir, path);
  if (fileInBundle.startsWith('..') || isAbsolute(fileInBundle)) {
    throw new UserError(`The plan ${path} named by \`rehearsal:plan\` is outside the project ${projectDir}; the host runs it from the bundle, so put it under the project (e.g. plans/).`);
  }
  if (!existsSync(path)) throw new UserError(`The plan ${path} named by \`rehearsal:plan\` does not exist. Point the setting at a plan file.`);
  const plan = loadPlan(path);
  if (plan.target !== 'aws' || plan.database.engine !== 'mssql' || plan.database.connectionStringEnv === undefined) {
    throw new UserError(`${path} (named by \`rehearsal:plan\`) is not an AWS plan: it needs \`target: aws\` and \`database.engine: mssql\` with \`connectionStringEnv\`.`);
  }
  return { source: { path, fileInBundle, text: readFileSync(path, 'utf8') }, plan, connectionStringEnv: plan.database.connectionStringEnv };
}

function databaseSource(db: DatabaseConfig): SnapshotSource | BakSource {
  if (db.snapshotIdentifier !== undefined && db.bak !== undefined) {
    throw new UserError('`rehearsal:database` names both `snapshotIdentifier` and `bak`. Restore from one source: keep the DB snapshot or the native .bak in S3.');
  }
  if (db.snapshotIdentifier !== undefined) return { kind: 'snapshot', snapshotIdentifier: db.snapshotIdentifier };
  const bak = db.bak;
  if (bak === undefined) throw missing('rehearsal:database.snapshotIdentifier', 'the DB snapshot to restore, or `bak` with the S3 bucket and key of a native backup');
  return {
    kind: 'bak',
    bucketName: need(bak.bucket, 'rehearsal:database.bak.bucket', 'the S3 bucket holding the .bak'),
    objectKey: need(bak.key, 'rehearsal:database.bak.key', 'the S3 key of the .bak'),
    ...(bak.kmsKeyArn === undefined ? {} : { kmsKeyArn: bak.kmsKeyArn }),
    engine: bak.engine ?? 'sqlserver-se',
    engineVersion: need(bak.engineVersion, 'rehearsal:database.bak.engineVersion', 'the SQL Server engine version, e.g. 16.00.4175.1.v1'),
    majorEngineVersion: need(bak.majorEngineVersion, 'rehearsal:database.bak.majorEngineVersion', 'the major version, e.g. 16.00'),
    allocatedStorageGb: bak.allocatedStorageGb ?? 200,
  };
}

export function readAwsSettings(config: pulumi.Config, awsConfig: pulumi.Config, projectDir: string, stackName: string): AwsStackSettings {
  const { source, plan, connectionStringEnv } = awsPlan(config, projectDir);
  const zones = config.getObject<string[]>('availabilityZones');
  if (zones === undefined || zones.length !== 2) {
    throw new UserError('Stack setting `rehearsal:availabilityZones` must list exactly two availability zones of the region (RDS needs a subnet group in two), e.g. [eu-west-1a, eu-west-1b].');
  }
  const db = config.getObject<DatabaseConfig>('database') ?? {};
  const host = config.getObject<HostConfig>('rehearsalHost') ?? {};
  const app = config.getObject<AppHostConfig>('appHost');
  const sinkholeResponse = config.get('sinkholeResponse') ?? 'sinkhole';
  if (sinkholeResponse !== 'sinkhole' && sinkholeResponse !== 'nxdomain') {
    throw new UserError(`Stack setting \`rehearsal:sinkholeResponse\` is ${sinkholeResponse}; use \`sinkhole\` (answer catalogue names with the sinkhole host) or \`nxdomain\`.`);
  }
  if (db.connectionStringEnv !== undefined) {
    throw new UserError('Stack setting `rehearsal:database.connectionStringEnv` duplicates the plan\'s `database.connectionStringEnv`. Remove it from the stack file; the plan is the one source.');
  }
  if (host.planFile !== undefined) {
    throw new UserError('Stack setting `rehearsal:rehearsalHost.planFile` is gone: the host runs the plan named by `rehearsal:plan`. Remove it from the stack file.');
  }
  const imageId = need(host.imageId, 'rehearsal:rehearsalHost.imageId', 'the pinned Amazon Linux 2023 AMI of the rehearsal host (`aws ssm get-parameter --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`)');
  if (!AMI_ID.test(imageId)) throw new UserError(`Stack setting \`rehearsal:rehearsalHost.imageId\` is ${imageId}, which is not an AMI id such as ami-0123456789abcdef0.`);
  return {
    target: 'aws',
    stackName,
    releaseCandidate: plan.releaseCandidate.id,
    plan: source,
    region: need(awsConfig.get('region'), 'aws:region', 'the AWS region of the rehearsal'),
    availabilityZones: [zones[0]!, zones[1]!],
    vpcCidr: config.get('vpcCidr') ?? '10.213.0.0/16',
    internalZoneName: config.get('internalZoneName') ?? 'rehearsal.internal',
    naclRuleLimit: config.getNumber('naclRuleLimit') ?? 20,
    sinkholeResponse,
    egress: plan.egress,
    database: {
      source: databaseSource(db),
      instanceClass: db.instanceClass ?? 'db.m6i.xlarge',
      masterUsername: db.masterUsername ?? 'rehearsal_admin',
      masterPassword: config.requireSecret('databasePassword'),
      databaseName: need(db.databaseName, 'rehearsal:database.databaseName', 'the billing database name inside SQL Server'),
      connectionStringEnv,
    },
    rehearsalHost: {
      instanceType: host.instanceType ?? 't3.medium',
      bundlePath: resolve(projectDir, need(host.bundlePath, 'rehearsal:rehearsalHost.bundlePath', 'the project bundle tarball uploaded to the host')),
      imageId,
    },
    ...(app === undefined
      ? {}
      : {
          appHost: {
            imageId: need(app.imageId, 'rehearsal:appHost.imageId', "the AMI of the billing platform's new release"),
            instanceType: app.instanceType ?? 'm6i.large',
          },
        }),
  };
}

export function readLocalSettings(config: pulumi.Config, projectDir: string): LocalStackSettings {
  const planPath = resolve(projectDir, need(config.get('plan'), 'rehearsal:plan', 'the plan file the local stack rehearses'));
  if (!existsSync(planPath)) throw new UserError(`The plan ${planPath} named by \`rehearsal:plan\` does not exist. Point the setting at a plan file.`);
  return {
    target: 'local',
    releaseCandidate: config.get('releaseCandidate') ?? loadPlan(planPath).releaseCandidate.id,
    planPath,
    planDigest: createHash('sha256').update(readFileSync(planPath)).digest('hex'),
    projectDir,
  };
}

export function readStackSettings(projectDir: string): StackSettings {
  const config = new pulumi.Config('rehearsal');
  const target = config.get('target') ?? 'aws';
  if (target === 'local') return readLocalSettings(config, projectDir);
  if (target === 'aws') return readAwsSettings(config, new pulumi.Config('aws'), projectDir, pulumi.getStack());
  throw new UserError(`Stack setting \`rehearsal:target\` is ${target}; use \`aws\` or \`local\`.`);
}
