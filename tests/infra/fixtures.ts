import * as pulumi from '@pulumi/pulumi';
import type { EgressCatalogue } from '../../src/egress/types.js';
import type { AwsStackSettings } from '../../infra/settings.js';

/** A small catalogue built for tests, independent of the shipped one. */
export const testCatalogue: EgressCatalogue = {
  paymentGateways: [
    { provider: 'Test Gateway', environment: 'production', hosts: ['pay.gateway.example', 'api.gateway.example'], port: 443 },
    { provider: 'Other Gateway', environment: 'sandbox', hosts: ['sandbox.other.example'], port: 8443 },
  ],
  smtpPorts: [25, 465, 587],
  switchServices: [
    { service: 'RADIUS', protocol: 'udp', ports: [1812, 1813] },
    { service: 'OCI-P', protocol: 'tcp', ports: [2208] },
  ],
};

/** The part of an AWS plan the program rewrites for the host. */
export const TEST_PLAN_TEXT = '# the operator\'s plan\nversion: 1\ndatabase:\n  engine: mssql\n  server: replaced-by-pulumi-up.invalid # set by pulumi up\n  connectionStringEnv: REHEARSAL_MSSQL_CONNECTION\n';

export function awsSettings(overrides: Partial<AwsStackSettings> = {}): AwsStackSettings {
  return {
    target: 'aws',
    stackName: 'rc-test-1',
    releaseCandidate: 'rc-test-1',
    plan: { path: '/work/project/plans/rc.aws.yaml', fileInBundle: 'plans/rc.aws.yaml', text: TEST_PLAN_TEXT },
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    vpcCidr: '10.213.0.0/16',
    internalZoneName: 'rehearsal.internal',
    naclRuleLimit: 20,
    sinkholeResponse: 'sinkhole',
    egress: { policy: 'deny-all', allowlist: [], mailServers: ['smtp.billing.example'], switches: [{ host: '198.51.100.10', ports: [3868] }], switchCidrs: ['198.51.100.0/24'] },
    database: {
      source: { kind: 'snapshot', snapshotIdentifier: 'billing-prod-pre-bill-run' },
      instanceClass: 'db.m6i.xlarge',
      masterUsername: 'rehearsal_admin',
      masterPassword: pulumi.secret('not-a-real-password'),
      databaseName: 'Billing',
      connectionStringEnv: 'REHEARSAL_MSSQL_CONNECTION',
    },
    rehearsalHost: { instanceType: 't3.medium', bundlePath: '/tmp/rehearsal-bundle.tgz', imageId: 'ami-0123456789abcdef0' },
    ...overrides,
  };
}
