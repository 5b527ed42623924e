import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { releaseCandidateTags } from '../tags.js';

export interface InstanceRoleInput {
  readonly name: string;
  /** Fixed IAM role name: endpoint and key policies name the role before it exists. */
  readonly roleName: string;
  readonly releaseCandidate: string;
  /** Extra IAM statements beyond SSM management. */
  readonly statements: pulumi.Input<pulumi.Input<object>[]>;
  readonly parent: pulumi.Resource;
}

/**
 * What the SSM agent needs to be managed and run commands: AmazonSSMManagedInstanceCore without
 * its `ssm:GetParameter`/`ssm:GetParameters` on `*`, which would let the host read every
 * parameter of the account. The host reads only the parameters its own statements name.
 */
export const SSM_AGENT_STATEMENTS: readonly object[] = [
  {
    Sid: 'SsmAgentCore',
    Effect: 'Allow',
    Action: [
      'ssm:DescribeAssociation',
      'ssm:GetDeployablePatchSnapshotForInstance',
      'ssm:GetDocument',
      'ssm:DescribeDocument',
      'ssm:GetManifest',
      'ssm:ListAssociations',
      'ssm:ListInstanceAssociations',
      'ssm:PutInventory',
      'ssm:PutComplianceItems',
      'ssm:PutConfigurePackageResult',
      'ssm:UpdateAssociationStatus',
      'ssm:UpdateInstanceAssociationStatus',
      'ssm:UpdateInstanceInformation',
    ],
    Resource: '*',
  },
  {
    Sid: 'SsmAgentMessages',
    Effect: 'Allow',
    Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    Resource: '*',
  },
  {
    Sid: 'SsmAgentEc2Messages',
    Effect: 'Allow',
    Action: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
    Resource: '*',
  },
];

/** An instance profile managed by SSM (no SSH key anywhere) plus the host's own permissions. */
export function ssmManagedInstanceProfile(input: InstanceRoleInput): aws.iam.InstanceProfile {
  const opts = { parent: input.parent };
  const tags = releaseCandidateTags(input.releaseCandidate, input.name);
  const role = new aws.iam.Role(
    input.name,
    {
      name: input.roleName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${input.name}-own`,
    {
      role: role.id,
      policy: pulumi.output(input.statements).apply((statements) => JSON.stringify({ Version: '2012-10-17', Statement: [...SSM_AGENT_STATEMENTS, ...statements] })),
    },
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
