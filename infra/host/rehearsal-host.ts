import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';
import { hardenedInstanceSettings, ssmManagedInstanceProfile } from './instance-role.js';
import { rehearsalHostUserData } from './user-data.js';

export interface RehearsalHostArgs {
  readonly releaseCandidate: string;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly instanceType: string;
  /** Pinned AMI from the stack settings: a new Amazon Linux release does not replace the host by itself. */
  readonly imageId: string;
  readonly roleName: string;
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  readonly bundleKey: string;
  readonly hostPlanKey: string;
  readonly reportsPrefix: string;
  readonly ssmOutputPrefix: string;
  readonly installDir: string;
  readonly planFile: string;
  /** SSM parameter (SecureString) holding the database connection string, and the KMS key it is encrypted with. */
  readonly connectionParameterArn: pulumi.Input<string>;
  readonly connectionKeyArn: pulumi.Input<string>;
  /** Private zone and record name that the DNS Firewall points sinkholed names at. */
  readonly internalZoneId: pulumi.Input<string>;
  readonly sinkholeName: string;
}

/**
 * The Linux host inside the isolated VPC that runs the sinkholes and the project's own scripts.
 * It has no SSH key and no public address; it is reached only through SSM.
 */
export class RehearsalHost extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;
  readonly privateIp: pulumi.Output<string>;

  constructor(name: string, args: RehearsalHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:host:RehearsalHost', name, {}, opts);
    const child = { parent: this };
    const bucketArn = pulumi.output(args.bucketArn);

    const profile = ssmManagedInstanceProfile({
      name,
      roleName: args.roleName,
      releaseCandidate: args.releaseCandidate,
      parent: this,
      statements: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: [pulumi.interpolate`${bucketArn}/${args.bundleKey}`, pulumi.interpolate`${bucketArn}/${args.hostPlanKey}`] },
        { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration'], Resource: bucketArn },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: [pulumi.interpolate`${bucketArn}/${args.reportsPrefix}*`, pulumi.interpolate`${bucketArn}/${args.ssmOutputPrefix}*`] },
        { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: args.connectionParameterArn },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: args.connectionKeyArn },
      ],
    });
    const instance = new aws.ec2.Instance(
      name,
      {
        ami: args.imageId,
        instanceType: args.instanceType,
        subnetId: args.subnetId,
        vpcSecurityGroupIds: args.securityGroupIds,
        iamInstanceProfile: profile.name,
        ...hardenedInstanceSettings,
        userData: pulumi
          .output(args.bucketName)
          .apply((bucketName) =>
            rehearsalHostUserData({ bucketName, bundleKey: args.bundleKey, hostPlanKey: args.hostPlanKey, installDir: args.installDir, planFile: args.planFile }),
          ),
        userDataReplaceOnChange: true,
        tags: releaseCandidateTags(args.releaseCandidate, name),
      },
      child,
    );
    new aws.route53.Record(
      `${name}-sinkhole`,
      { zoneId: args.internalZoneId, name: args.sinkholeName, type: 'A', ttl: 60, records: [instance.privateIp] },
      child,
    );

    this.instanceId = instance.id;
    this.privateIp = instance.privateIp;
    this.registerOutputs({ instanceId: this.instanceId, privateIp: this.privateIp });
  }
}
