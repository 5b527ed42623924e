import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';
import { hardenedInstanceSettings, ssmManagedInstanceProfile } from './instance-role.js';

export interface AppHostArgs {
  readonly releaseCandidate: string;
  /** The user's machine image of the new release of the billing platform. */
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly roleName: string;
  readonly connectionParameterArn: pulumi.Input<string>;
  readonly connectionKeyArn: pulumi.Input<string>;
}

/**
 * The billing platform under rehearsal, in the same isolated subnets as the database. The
 * bill-run driver starts and stops it through SSM Run Command; nothing listens for it outside.
 */
export class AppHost extends pulumi.ComponentResource {
  readonly instanceId: pulumi.Output<string>;

  constructor(name: string, args: AppHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:host:AppHost', name, {}, opts);
    const profile = ssmManagedInstanceProfile({
      name,
      roleName: args.roleName,
      releaseCandidate: args.releaseCandidate,
      parent: this,
      statements: [
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
        tags: releaseCandidateTags(args.releaseCandidate, name),
      },
      { parent: this },
    );
    this.instanceId = instance.id;
    this.registerOutputs({ instanceId: this.instanceId });
  }
}
