import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';

export interface InstanceRoleInput {
  readonly name: string;
  readonly releaseCandidate: string;
  /** Extra IAM statements beyond SSM management. */
  readonly statements: pulumi.Input<pulumi.Input<object>[]>;
  readonly parent: pulumi.Resource;
}

/** An instance profile managed by SSM (no SSH key anywhere) plus the host's own permissions. */
export function ssmManagedInstanceProfile(input: InstanceRoleInput): aws.iam.InstanceProfile {
  const opts = { parent: input.parent };
  const tags = releaseCandidateTags(input.releaseCandidate, input.name);
  const role = new aws.iam.Role(
    input.name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    },
    opts,
  );
  new aws.iam.RolePolicyAttachment(`${input.name}-ssm`, { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }, opts);
  new aws.iam.RolePolicy(
    `${input.name}-own`,
    { role: role.id, policy: pulumi.output(input.statements).apply((statements) => JSON.stringify({ Version: '2012-10-17', Statement: statements })) },
    opts,
  );
  return new aws.iam.InstanceProfile(input.name, { role: role.name, tags }, opts);
}

/** IMDSv2 only, encrypted root volume: the baseline of every rehearsal instance. */
export const hardenedInstanceSettings = {
  associatePublicIpAddress: false,
  metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeType: 'gp3', deleteOnTermination: true },
} as const;
