import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { cataloguePorts } from '../src/egress/catalogue.js';
import type { EgressCatalogue } from '../src/egress/types.js';
import { BillingDatabase } from './database/billing-database.js';
import { AppHost } from './host/app-host.js';
import { RehearsalHost } from './host/rehearsal-host.js';
import { TransferBucket } from './host/transfer-bucket.js';
import { allowlistedDomains, awsServiceDomains, sinkholedDomains } from './network/dns-domains.js';
import { IsolatedNetwork } from './network/isolated-network.js';
import type { PortOnProtocol } from './network/nacl-rules.js';
import { checkIsolation, type AwsStackSettings } from './settings.js';
import { hostPlanText } from './host/host-plan.js';
import { databaseIdentifier, hostRoleName } from './naming.js';
import { hostBillRunScript, hostStageScript, type HostBundle } from './ssm/host-script.js';
import { HostStep } from './ssm/host-step.js';
import { releaseCandidateTags } from './tags.js';

/** Everything the zx scripts read with `pulumi stack output --json`. */
export interface AwsEnvironmentOutputs {
  readonly target: 'aws';
  readonly releaseCandidate: string;
  readonly region: string;
  readonly egressPolicy: 'deny-all' | 'allowlist';
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly dnsFirewallRuleGroupId: pulumi.Output<string>;
  readonly sinkholeName: string;
  readonly rehearsalHostInstanceId: pulumi.Output<string>;
  readonly appHostInstanceId: pulumi.Output<string> | null;
  readonly hostInstallDir: string;
  readonly hostPlanFile: string;
  readonly databaseAddress: pulumi.Output<string>;
  readonly databasePort: pulumi.Output<number>;
  readonly databaseName: string;
  readonly databaseConnectionParameter: string;
  readonly connectionStringEnv: string;
  readonly databaseIdentifier: string;
  readonly transferBucket: pulumi.Output<string>;
  readonly reportsPrefix: string;
  /** Where the bill-run script copies the report folder; the workflow downloads it from here. */
  readonly reportsUri: pulumi.Output<string>;
  readonly ssmOutputPrefix: string;
  /** Shell lines that run bill run, verify and report on the rehearsal host (through SSM). */
  readonly hostBillRunScript: pulumi.Output<string[]>;
  readonly sanitizedSource: pulumi.Output<string>;
}

const HOST_INSTALL_DIR = '/opt/rehearsal';
const DATABASE_PORT = 1433;
// Inside the workflow's 200-minute `pulumi up` step, after 40-115 minutes of snapshot copy and RDS restore.
const STEP_TIMEOUT_SECONDS = { prove: 900, restore: 90 * 60, sanitize: 60 * 60 } as const;

function switchPorts(settings: AwsStackSettings, catalogue: EgressCatalogue): PortOnProtocol[] {
  const fromCatalogue = catalogue.switchServices.flatMap((s) => s.ports.map((port) => ({ protocol: s.protocol, port })));
  // The plan names ports but not protocols: deny both.
  const fromPlan = settings.egress.switches.flatMap((s) => s.ports.flatMap((port) => [{ protocol: 'tcp' as const, port }, { protocol: 'udp' as const, port }]));
  return uniquePorts([...fromCatalogue, ...fromPlan]);
}

function uniquePorts(ports: readonly PortOnProtocol[]): PortOnProtocol[] {
  const byKey = new Map(ports.map((p) => [`${p.protocol}/${p.port}`, p]));
  return [...byKey.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/**
 * Who may decrypt the connection string: the two host roles, and the identity running `pulumi up`
 * (the provider reads the parameter back). Everyone else in the account, even with
 * `ssm:GetParameter` on `*`, gets an encrypted value they cannot open.
 */
export function connectionKeyPolicy(input: { accountId: string; partition: string; region: string; readerArns: readonly string[] }): string {
  const viaSsm = { 'kms:ViaService': `ssm.${input.region}.amazonaws.com` };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KeyAdministrationWithoutDecrypt',
        Effect: 'Allow',
        Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
        // No Decrypt, and no CreateGrant, which could hand Decrypt to anyone.
        NotAction: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant'],
        Resource: '*',
      },
      {
        Sid: 'DecryptOnlyByRehearsalHostsAndDeployer',
        Effect: 'Allow',
        Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { ...viaSsm, 'aws:PrincipalArn': [...new Set(input.readerArns)].sort() } },
      },
    ],
  });
}

/** Declares the isolated rehearsal environment for one release candidate. */
export function createAwsEnvironment(settings: AwsStackSettings, catalogue: EgressCatalogue): AwsEnvironmentOutputs {
  checkIsolation(settings, catalogue);
  const rc = settings.releaseCandidate;
  const provider = new aws.Provider('aws', { region: settings.region as aws.Region, defaultTags: { tags: releaseCandidateTags(rc) } });
  const opts = { providers: [provider] };
  const invokeOpts = { provider };
  const sinkholeName = `sinkhole.${settings.internalZoneName}`;
  const connectionParameterName = `/rehearsal/${rc}/database-connection`;
  const allowlisted = settings.egress.policy === 'allowlist' ? allowlistedDomains(settings.egress.allowlist) : [];
  const ports = switchPorts(settings, catalogue);
  const identity = aws.getCallerIdentityOutput({}, invokeOpts);
  const partition = identity.arn.apply((arn) => arn.split(':')[1] ?? 'aws');
  const roleNames = { rehearsalHost: hostRoleName(settings.stackName, 'rehearsal-host'), appHost: hostRoleName(settings.stackName, 'app-host') };
  const roleArn = (name: string): pulumi.Output<string> => pulumi.interpolate`arn:${partition}:iam::${identity.accountId}:role/${name}`;
  const hostRoleArns = [roleArn(roleNames.rehearsalHost), ...(settings.appHost === undefined ? [] : [roleArn(roleNames.appHost)])];
  const deployer = aws.iam.getSessionContextOutput({ arn: identity.arn }, invokeOpts);
  const dbIdentifier = databaseIdentifier(settings.stackName);

  const transfer = new TransferBucket('transfer', { releaseCandidate: rc, bundlePath: settings.rehearsalHost.bundlePath }, opts);
  const network = new IsolatedNetwork(
    'rehearsal',
    {
      releaseCandidate: rc,
      region: settings.region,
      cidrBlock: settings.vpcCidr,
      availabilityZones: settings.availabilityZones,
      smtpPorts: catalogue.smtpPorts,
      switchCidrs: settings.egress.switchCidrs,
      switchPorts: ports,
      naclRuleLimit: settings.naclRuleLimit,
      sinkholePorts: uniquePorts([...cataloguePorts(catalogue), ...ports]),
      databasePort: DATABASE_PORT,
      internalZoneName: settings.internalZoneName,
      dns: {
        sinkholedDomains: sinkholedDomains(catalogue, settings.egress.mailServers),
        ...(settings.sinkholeResponse === 'sinkhole' ? { sinkholeTarget: sinkholeName } : {}),
        serviceDomains: awsServiceDomains(settings.region, settings.internalZoneName),
      },
      s3Access: {
        accountId: identity.accountId,
        transferBucketArn: transfer.bucketArn,
        transferReadKeys: [transfer.bundleKey, transfer.hostPlanKey],
        transferWritePrefixes: [`${transfer.reportsPrefix}*`, `${transfer.ssmOutputPrefix}*`],
        // Amazon Linux package mirror and SSM agent buckets (documented by AWS for endpoint-only VPCs).
        awsOwnedReadOnlyObjects: [
          `arn:aws:s3:::al2023-repos-${settings.region}-*/*`,
          `arn:aws:s3:::amazon-ssm-${settings.region}/*`,
          `arn:aws:s3:::amazon-ssm-packages-${settings.region}/*`,
          `arn:aws:s3:::${settings.region}-birdwatcher-prod/*`,
          `arn:aws:s3:::aws-ssm-${settings.region}/*`,
        ],
      },
      endpointPrincipalArns: hostRoleArns,
      ...(settings.egress.policy === 'allowlist' ? { allowlistedEgress: { domains: allowlisted } } : {}),
    },
    opts,
  );

  const database = new BillingDatabase(
    'billing',
    {
      releaseCandidate: rc,
      stackName: settings.stackName,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [network.databaseSecurityGroupId],
      instanceClass: settings.database.instanceClass,
      masterUsername: settings.database.masterUsername,
      masterPassword: settings.database.masterPassword,
      source: settings.database.source,
    },
    opts,
  );
  const hostPlanVersion = transfer.putHostPlan(database.address.apply((address) => hostPlanText(settings.plan.text, address, settings.plan.fileInBundle)));

  const connectionKey = new aws.kms.Key(
    'database-connection',
    {
      description: `Connection string of the rehearsal database for ${rc}; only the rehearsal hosts and the deployer decrypt it`,
      deletionWindowInDays: 7,
      enableKeyRotation: true,
      policy: pulumi
        .all([identity.accountId, partition, deployer.issuerArn, pulumi.all(hostRoleArns)])
        .apply(([accountId, partitionName, deployerArn, readers]) => connectionKeyPolicy({ accountId, partition: partitionName, region: settings.region, readerArns: [...readers, deployerArn] })),
      tags: releaseCandidateTags(rc, 'database-connection'),
    },
    { provider },
  );
  const connection = new aws.ssm.Parameter(
    'database-connection',
    {
      name: connectionParameterName,
      type: 'SecureString',
      keyId: connectionKey.arn,
      description: `Connection string of the rehearsal database for ${rc}`,
      value: pulumi.secret(
        pulumi.interpolate`Server=${database.address},${database.port};Database=${settings.database.databaseName};User Id=${database.masterUsername};Password=${settings.database.masterPassword};Encrypt=true;TrustServerCertificate=true`,
      ),
      tags: releaseCandidateTags(rc, 'database-connection'),
    },
    { provider },
  );

  const bundle = (bucketName: string): HostBundle => ({
    bucketName,
    bundleKey: transfer.bundleKey,
    hostPlanKey: transfer.hostPlanKey,
    installDir: HOST_INSTALL_DIR,
    planFile: settings.plan.fileInBundle,
  });
  const firstSubnet = network.privateSubnetIds[0]!;
  const host = new RehearsalHost(
    'rehearsal-host',
    {
      releaseCandidate: rc,
      subnetId: firstSubnet,
      securityGroupIds: [network.rehearsalHostSecurityGroupId],
      instanceType: settings.rehearsalHost.instanceType,
      imageId: settings.rehearsalHost.imageId,
      roleName: roleNames.rehearsalHost,
      bucketName: transfer.bucketName,
      bucketArn: transfer.bucketArn,
      bundleKey: transfer.bundleKey,
      hostPlanKey: transfer.hostPlanKey,
      reportsPrefix: transfer.reportsPrefix,
      ssmOutputPrefix: transfer.ssmOutputPrefix,
      installDir: HOST_INSTALL_DIR,
      planFile: settings.plan.fileInBundle,
      connectionParameterArn: connection.arn,
      connectionKeyArn: connectionKey.arn,
      internalZoneId: network.internalZoneId,
      sinkholeName,
    },
    opts,
  );
  const app =
    settings.appHost === undefined
      ? undefined
      : new AppHost(
          'app-host',
          {
            releaseCandidate: rc,
            imageId: settings.appHost.imageId,
            instanceType: settings.appHost.instanceType,
            subnetId: firstSubnet,
            securityGroupIds: [network.appHostSecurityGroupId],
            roleName: roleNames.appHost,
            connectionParameterArn: connection.arn,
            connectionKeyArn: connectionKey.arn,
          },
          opts,
        );

  const step = (stage: keyof typeof STEP_TIMEOUT_SECONDS, environment: Record<string, string>, dependsOn: pulumi.Resource[]): HostStep =>
    new HostStep(
      stage,
      {
        instanceId: host.instanceId,
        region: settings.region,
        step: stage,
        script: transfer.bucketName.apply((bucketName) =>
          hostStageScript({
            bundle: bundle(bucketName),
            stage,
            connectionParameterName,
            connectionStringEnv: settings.database.connectionStringEnv,
            environment,
          }),
        ),
        timeoutSeconds: STEP_TIMEOUT_SECONDS[stage],
        outputBucket: transfer.bucketName,
        outputPrefix: transfer.ssmOutputPrefix,
        // A new snapshot, database instance, host, bundle or plan means the copy must be proven, restored and sanitized again.
        triggers: [database.sourceVersion, database.instanceIdentifier, host.instanceId, transfer.bundleVersion, hostPlanVersion],
      },
      { dependsOn },
    );
  // The VPC has no way out before any step runs (no IGW, no NAT, DNS Firewall). The probes run
  // after sanitize, as `rehearse` requires: they also cover the hosts named in the sanitized
  // settings, and the bill run needs a proof made in the sandbox that is running now.
  const restoreEnvironment: Record<string, string> =
    database.bakS3Arn === '' ? { REHEARSAL_RESTORE_SOURCE: 'rds-snapshot' } : { REHEARSAL_RESTORE_SOURCE: 'native-backup', REHEARSAL_BAK_S3_ARN: database.bakS3Arn };
  const restore = step('restore', { ...restoreEnvironment, REHEARSAL_DATABASE_NAME: settings.database.databaseName }, [host, database, connection, network]);
  const sanitize = step('sanitize', { REHEARSAL_DATABASE_NAME: settings.database.databaseName }, [restore]);
  step('prove', {}, [sanitize]);

  const reportsUri = pulumi.interpolate`s3://${transfer.bucketName}/${transfer.reportsPrefix}latest/`;
  return {
    target: 'aws',
    releaseCandidate: rc,
    region: settings.region,
    egressPolicy: network.egressPolicy,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    dnsFirewallRuleGroupId: network.dnsFirewallRuleGroupId,
    sinkholeName,
    rehearsalHostInstanceId: host.instanceId,
    appHostInstanceId: app?.instanceId ?? null,
    hostInstallDir: HOST_INSTALL_DIR,
    hostPlanFile: settings.plan.fileInBundle,
    databaseAddress: database.address,
    databasePort: database.port,
    databaseName: settings.database.databaseName,
    databaseIdentifier: dbIdentifier,
    databaseConnectionParameter: connectionParameterName,
    connectionStringEnv: settings.database.connectionStringEnv,
    transferBucket: transfer.bucketName,
    reportsPrefix: transfer.reportsPrefix,
    reportsUri,
    ssmOutputPrefix: transfer.ssmOutputPrefix,
    hostBillRunScript: pulumi.all([transfer.bucketName, reportsUri]).apply(([bucketName, uri]) =>
      hostBillRunScript({ bundle: bundle(bucketName), connectionParameterName, connectionStringEnv: settings.database.connectionStringEnv, reportsUri: uri }),
    ),
    sanitizedSource: database.sourceVersion,
  };
}
