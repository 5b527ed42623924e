/**
 * Reads `rehearsal:*` stack configuration (and optionally the plan it names) into settings. The
 * components never read config themselves; this is the only place that knows the key names.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { UserError } from '../src/errors.js';
import { loadPlan } from '../src/plan/load.js';
import type { BakSource, SnapshotSource } from './database/billing-database.js';
import type { AwsStackSettings, EgressSettings, LocalStackSettings, StackSettings } from './settings.js';

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

function releaseCandidateAndEgress(config: pulumi.Config, projectDir: string): { releaseCandidate: string; egress: EgressSettings } {
  const planPath = config.get('plan');
  if (planPath !== undefined) {
    if (config.get('releaseCandidate') !== undefined || config.getObject('egress') !== undefined) {
      throw new UserError('Stack settings name a plan (`rehearsal:plan`) and also `rehearsal:releaseCandidate` or `rehearsal:egress`. Keep one source: remove those keys, the plan holds them.');
    }
    const plan = loadPlan(resolve(projectDir, planPath));
    return { releaseCandidate: plan.releaseCandidate.id, egress: plan.egress };
  }
  const egress = config.getObject<Partial<EgressSettings>>('egress') ?? {};
  return {
    releaseCandidate: need(config.get('releaseCandidate'), 'rehearsal:releaseCandidate', 'the release candidate id every resource is tagged with'),
    egress: {
      policy: egress.policy ?? 'deny-all',
      allowlist: egress.allowlist ?? [],
      mailServers: egress.mailServers ?? [],
      switches: egress.switches ?? [],
      switchCidrs: egress.switchCidrs ?? [],
    },
  };
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

export function readAwsSettings(config: pulumi.Config, awsConfig: pulumi.Config, projectDir: string): AwsStackSettings {
  const { releaseCandidate, egress } = releaseCandidateAndEgress(config, projectDir);
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
  return {
    target: 'aws',
    releaseCandidate,
    region: need(awsConfig.get('region'), 'aws:region', 'the AWS region of the rehearsal'),
    availabilityZones: [zones[0]!, zones[1]!],
    vpcCidr: config.get('vpcCidr') ?? '10.213.0.0/16',
    internalZoneName: config.get('internalZoneName') ?? 'rehearsal.internal',
    naclRuleLimit: config.getNumber('naclRuleLimit') ?? 20,
    sinkholeResponse,
    egress,
    database: {
      source: databaseSource(db),
      instanceClass: db.instanceClass ?? 'db.m6i.xlarge',
      masterUsername: db.masterUsername ?? 'rehearsal_admin',
      masterPassword: config.requireSecret('databasePassword'),
      databaseName: need(db.databaseName, 'rehearsal:database.databaseName', 'the billing database name inside SQL Server'),
      connectionStringEnv: db.connectionStringEnv ?? 'REHEARSAL_MSSQL_CONNECTION',
    },
    rehearsalHost: {
      instanceType: host.instanceType ?? 't3.medium',
      bundlePath: resolve(projectDir, need(host.bundlePath, 'rehearsal:rehearsalHost.bundlePath', 'the project bundle tarball uploaded to the host')),
      planFile: need(host.planFile, 'rehearsal:rehearsalHost.planFile', 'the plan file inside the bundle'),
    },
    ...(app === undefined
      ? {}
      : {
          appHost: {
            imageId: need(app.imageId, 'rehearsal:appHost.imageId', "the AMI of the billing platform's new release"),
            instanceType: app.instanceType ?? 'm6i.large',
          },
        }),
    projectDir,
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
  if (target === 'aws') return readAwsSettings(config, new pulumi.Config('aws'), projectDir);
  throw new UserError(`Stack setting \`rehearsal:target\` is ${target}; use \`aws\` or \`local\`.`);
}
