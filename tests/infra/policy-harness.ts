/** Calls policies the way the Pulumi engine would, without the engine, and collects violations. */
import { createRequire } from 'node:module';
import { unknownCheckingProxy, type PolicyResource, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationArgs, type StackValidationPolicy } from '@pulumi/policy';

// The sentinels are internal to @pulumi/policy (not in its types); the policy server deserializes unknowns into them.
const sentinels = createRequire(import.meta.url)('@pulumi/policy/proxy.js') as Record<'unknownStringValue' | 'unknownBooleanValue' | 'unknownArrayValue', string>;

/** What the engine passes for values not known until apply (preview): reading one throws inside the proxy. */
export const UNKNOWN_AT_PREVIEW = { string: sentinels.unknownStringValue, boolean: sentinels.unknownBooleanValue, array: sentinels.unknownArrayValue };

export interface FakeResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

function asPolicyResource(resource: FakeResource): PolicyResource & ResourceValidationArgs {
  const notUsed = (): never => {
    throw new Error('not used by the rehearsal policies');
  };
  return {
    type: resource.type,
    name: resource.name,
    // The policy server hands policies the props through this proxy, in preview and update alike.
    props: unknownCheckingProxy(resource.props) as Record<string, unknown>,
    urn: `urn:pulumi:test::rehearsal::${resource.type}::${resource.name}`,
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
    dependencies: [],
    propertyDependencies: {},
    stackTags: new Map(),
    isType: notUsed,
    asType: notUsed,
    getConfig: notUsed,
    notApplicable: notUsed,
  } as unknown as PolicyResource & ResourceValidationArgs;
}

export async function resourceViolations(policy: ResourceValidationPolicy, resource: FakeResource, config: object = {}): Promise<string[]> {
  const violations: string[] = [];
  const args = { ...asPolicyResource(resource), getConfig: <T>() => config as T };
  const validators = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validators) await validate(args, (message) => violations.push(message));
  return violations;
}

export async function stackViolations(policy: StackValidationPolicy, resources: readonly FakeResource[], config: object = {}): Promise<string[]> {
  const violations: string[] = [];
  const args = {
    resources: resources.map(asPolicyResource),
    stackTags: new Map<string, string>(),
    getConfig: <T>() => config as T,
    notApplicable: (): never => {
      throw new Error('not used');
    },
  } as StackValidationArgs;
  await policy.validateStack(args, (message) => violations.push(message));
  return violations;
}

/** Every violation every policy reports on a whole stack, as the engine would run them. */
export async function allViolations(policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[], resources: readonly FakeResource[], config: Record<string, object>): Promise<string[]> {
  const found: string[] = [];
  for (const policy of policies) {
    const own = config[policy.name] ?? {};
    if ('validateStack' in policy) found.push(...(await stackViolations(policy, resources, own)));
    else for (const resource of resources) found.push(...(await resourceViolations(policy, resource, own)));
  }
  return found;
}
