/**
 * Runs the Pulumi program in-process under `pulumi.runtime.setMocks` and collects every resource
 * it registers. Mocks return a resource's inputs as its state (plus the few computed fields the
 * program reads), so assertions are on the inputs the program chose: that is what it controls.
 * Nothing here talks to AWS.
 */
import * as pulumi from '@pulumi/pulumi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are the untyped JSON the program passed; tests walk into it freely
export type Inputs = Record<string, any>;

export interface RegisteredResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
  /** Type chain of the parents from the URN, e.g. `rehearsal:network:IsolatedNetwork`; empty at top level. */
  readonly parentTypes: readonly string[];
  readonly custom: boolean;
  /** Resource options the engine would see that the mocks' `newResource` does not pass on. */
  readonly options: { readonly deleteBeforeReplace: boolean };
}

export interface MockOptions {
  /** Engine the mocked DB snapshot reports. */
  readonly snapshotEngine?: string;
}

export const MOCK_ZONES = ['eu-west-1a', 'eu-west-1b'];
export const MOCK_ACCOUNT = '123456789012';

function computedState(type: string, name: string, inputs: Inputs): Record<string, unknown> {
  const arn = `arn:aws:mock:eu-west-1:123456789012:${type.split(':')[1]}/${name}`;
  const extra: Record<string, unknown> = { arn };
  switch (type) {
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      extra['prefixListId'] = 'pl-6da54004';
      break;
    case 'aws:networkfirewall/firewall:Firewall':
      extra['firewallStatuses'] = [
        { syncStates: MOCK_ZONES.map((zone) => ({ availabilityZone: zone, attachments: [{ endpointId: `vpce-firewall-${zone}`, subnetId: 'subnet-firewall' }] })) },
      ];
      break;
    case 'aws:s3/bucket:Bucket':
      extra['arn'] = `arn:aws:s3:::rehearsal-${name}`;
      break;
    case 'aws:rds/instance:Instance':
      Object.assign(extra, { address: `${inputs['identifier'] ?? name}.c0ffee.eu-west-1.rds.amazonaws.com`, port: 1433, identifier: inputs['identifier'] ?? name, username: inputs['username'] ?? 'production_master' });
      break;
    case 'aws:ec2/instance:Instance':
      extra['privateIp'] = '10.213.0.10';
      break;
    case 'aws:route53/zone:Zone':
      extra['zoneId'] = 'Z0REHEARSAL';
      break;
    case 'aws:s3/bucketObjectv2:BucketObjectv2':
      extra['etag'] = 'bundle-etag';
      break;
    case 'command:local:Command':
      extra['stdout'] = '';
      break;
  }
  return { name: inputs['name'] ?? name, ...extra, ...inputs };
}

export async function installMocks(options: MockOptions = {}): Promise<void> {
  const collected: Omit<RegisteredResource, 'urn' | 'parentTypes' | 'options'>[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        collected.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false });
        return { id: `${args.name}-id`, state: computedState(args.type, args.name, args.inputs) };
      },
      call(args) {
        switch (args.token) {
          case 'aws:rds/getSnapshot:getSnapshot':
            return {
              engine: options.snapshotEngine ?? 'sqlserver-se',
              engineVersion: '16.00.4175.1.v1',
              dbSnapshotArn: `arn:aws:rds:eu-west-1:123456789012:snapshot:${args.inputs.dbSnapshotIdentifier}`,
              snapshotCreateTime: '2026-11-30T22:00:00Z',
              encrypted: false,
            };
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/deployer/session`, userId: 'AROAEXAMPLE:session' };
          case 'aws:iam/getSessionContext:getSessionContext':
            return { arn: args.inputs.arn, issuerArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/deployer`, issuerName: 'deployer', sessionName: 'session' };
          case 'aws:s3/getObject:getObject':
            return { etag: 'bak-etag' };
          default:
            throw new Error(`unexpected call ${args.token} in the mocks`);
        }
      },
    },
    'rehearsal',
    'test',
    false,
  );
  registered = collected;
  resourceOptions = new Map();
  // The request carries the resource options; the mocks' newResource does not show them.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, callback: unknown): unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    resourceOptions.set(`${req.getType()}::${req.getName()}`, { deleteBeforeReplace: req.getDeletebeforereplace() });
    return register(req, callback);
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDeletebeforereplace(): boolean;
}

let resourceOptions = new Map<string, RegisteredResource['options']>();

let registered: Omit<RegisteredResource, 'urn' | 'parentTypes' | 'options'>[] = [];

function urnOf(type: string, name: string, urns: readonly string[]): string {
  return urns.find((urn) => urn.endsWith(`${type}::${name}`)) ?? '';
}

function parentTypes(urn: string): string[] {
  const qualifiedType = urn.split('::')[2] ?? '';
  return qualifiedType.split('$').slice(0, -1);
}

/** Waits until every output the program returned has resolved and no more resources arrive. */
export async function collectResources(outputs: object): Promise<{ resources: RegisteredResource[]; outputs: Record<string, unknown> }> {
  const resolved = await new Promise<Record<string, unknown>>((done) => pulumi.output(outputs).apply((value) => done(value as Record<string, unknown>)));
  let stableRounds = 0;
  let lastCount = -1;
  while (stableRounds < 5) {
    await new Promise((done) => setTimeout(done, 10));
    stableRounds = registered.length === lastCount ? stableRounds + 1 : 0;
    lastCount = registered.length;
  }
  const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, unknown> };
  const urns = [...monitor.getRegisteredResources().keys()];
  const resources = registered.map((r) => {
    const urn = urnOf(r.type, r.name, urns);
    return { ...r, urn, parentTypes: parentTypes(urn), options: resourceOptions.get(`${r.type}::${r.name}`) ?? { deleteBeforeReplace: false } };
  });
  return { resources, outputs: resolved };
}

export function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}
