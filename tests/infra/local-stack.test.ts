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

t.test('the local stack wraps the sandbox stages with local commands and creates no cloud resource', async (t) => {
  t.same(resources.filter((r) => r.type.startsWith('aws:') || r.type === 'pulumi:providers:aws'), [], 'nothing from AWS');
  const commands = ofType(resources, 'command:local:Command');
  const quoted = `'${plan.replace(/'/g, `'\\''`)}'`;
  const byName = new Map(commands.map((c) => [c.name, c.inputs]));
  t.same([...byName.keys()].sort(), ['isolation-proof', 'restore', 'sandbox', 'sanitize']);
  t.equal(byName.get('sandbox')?.create, `node --import tsx scripts/rehearse.ts up ${quoted}`, 'up builds the sandbox');
  t.equal(byName.get('sandbox')?.delete, `node --import tsx scripts/rehearse.ts down ${quoted}`, 'destroy runs the down stage');
  t.equal(byName.get('isolation-proof')?.create, `node --import tsx scripts/rehearse.ts prove ${quoted}`);
  t.equal(byName.get('sanitize')?.create, `node --import tsx scripts/rehearse.ts sanitize ${quoted}`);
  for (const inputs of byName.values()) t.match(inputs.triggers, [/^[0-9a-f]{64}$/], 'editing the plan re-runs the stages');
  t.match(outputs, { target: 'local', releaseCandidate: 'rc-local-1', planPath: plan });
});
