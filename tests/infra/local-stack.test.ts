// The `local` stack (stacks/Pulumi.local.yaml shape) through infra/index.ts under mocks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import t from 'tap';
import { collectResources, installMocks, ofType } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearsal-local-stack-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const plan = join(dir, "rc's plan.yaml");
writeFileSync(plan, 'version: 1\n');

pulumi.runtime.setAllConfig({ 'rehearsal:target': 'local', 'rehearsal:plan': plan, 'rehearsal:releaseCandidate': 'rc-local-1' });
await installMocks();
const { default: rehearsalStack } = await import('../../infra/index.js');
const { resources, outputs } = await collectResources(await rehearsalStack());

t.test('the local stack wraps the sandbox stages as local stages and creates no cloud resource', async (t) => {
  t.same(resources.filter((r) => r.type.startsWith('aws:') || r.type === 'pulumi:providers:aws'), [], 'nothing from AWS');
  const stages = ofType(resources, 'pulumi-nodejs:dynamic/rehearsal:LocalStage');
  const byName = new Map(stages.map((c) => [c.name, c.inputs]));
  const rehearse = (stage: string): string[] => ['node', '--import', 'tsx', 'scripts/rehearse.ts', stage, plan];
  t.same([...byName.keys()].sort(), ['isolation-proof', 'restore', 'sandbox', 'sanitize']);
  t.same(byName.get('sandbox')?.create, rehearse('up'), 'up builds the sandbox; the plan path is one argument, no shell');
  t.same(byName.get('sandbox')?.delete, rehearse('down'), 'destroy runs the down stage');
  t.same(byName.get('isolation-proof')?.create, rehearse('prove'));
  t.same(byName.get('sanitize')?.create, rehearse('sanitize'));
  for (const inputs of byName.values()) t.type(inputs.__provider, 'string', 'the provider is serialized into the state, so destroy needs no program');
  for (const inputs of byName.values()) t.match(inputs.triggers, [/^[0-9a-f]{64}$/], 'editing the plan re-runs the stages');
  t.match(outputs, { target: 'local', releaseCandidate: 'rc-local-1', planPath: plan });
});
