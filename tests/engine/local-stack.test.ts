// `pulumi up` / `pulumi destroy -s local` with the policy pack, on the real Pulumi engine (file backend
// in the test's folder). Fails, never skips, when the engine is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { listNamespaces, namespaceNameFor } from '../../src/sandbox/namespace.js';
import { readSandboxRecord } from '../../src/sandbox/ownership.js';
import { makePlanDir, PROJECT_ROOT, validPlanText } from '../helpers/plan-fixture.js';
import { loadPlan } from '../../src/plan/load.js';
import { policyConfigFromPlan } from '../../infra/policy-config.js';
import { NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { engineIn, findEngineBin, INSTALL_HINT, localProject } from './engine.js';

const bin = findEngineBin();
if (bin === undefined) {
  t.fail(INSTALL_HINT);
} else {
  const dir = t.testdir();
  const engine = engineIn(bin, dir);
  const policyPack = join(PROJECT_ROOT, 'policy');

  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  // Under the file's 120 s, so that on a hang the teardown below still runs and removes the sandbox.
  const timeout = 100_000;
  t.test('pulumi up -s local builds the sandbox, restores, sanitizes and proves; again changes nothing; destroy leaves nothing, twice', { timeout }, async (t) => {
    // The hand-made sample-platform database: the engine's part is the point here, not the data.
    const planDir = makePlanDir();
    const plan = planDir.write('plan.yaml', validPlanText());
    const project = localProject(dir, plan);
    t.teardown(async () => {
      // A failed assertion must not leave a sandbox: destroy through the engine, then the plan's own `down`.
      await engine.run(project, ['destroy', '-s', 'local', '--yes']);
      const [node, ...loader] = NODE_TS;
      execFileSync(node, [...loader, REHEARSE, 'down', plan], { stdio: 'ignore' });
      planDir.cleanup();
    });
    const policyConfig = join(dir, 'local-policy-config.json');
    // As the README says to: the pack's configuration written from the plan the stack runs.
    writeFileSync(policyConfig, JSON.stringify(policyConfigFromPlan(loadPlan(plan))));

    t.equal((await engine.run(project, ['stack', 'init', 'local'])).code, 0, 'stack created on the file backend');
    const up = await engine.run(project, ['up', '-s', 'local', '--yes', '--skip-preview', '--policy-pack', policyPack, '--policy-pack-config', policyConfig]);
    t.comment(`pulumi up: ${up.seconds.toFixed(1)} s`);
    t.equal(up.code, 0, `pulumi up succeeds${up.code === 0 ? '' : `:\n${up.output}`}`);
    t.match(up.output, /✅ rehearsal-isolation@v[\d.]+/, 'the policy pack ran and passed');
    t.match(up.output, /\+ 5 created/);

    const outputs = await engine.run(project, ['stack', 'output', '-s', 'local', '--json']);
    const stack = JSON.parse(outputs.stdout) as Record<string, string>;
    t.match(stack, { target: 'local', planPath: plan, releaseCandidate: /^rc-/ }, 'stack outputs as the scripts read them');
    const runId = /^Run (\S+): sanitize passed .*proof passed/.exec(stack['sanitizeOutput'] ?? '')?.[1];
    t.ok(runId, `sanitizeOutput names the run and the passed proof: ${stack['sanitizeOutput']}`);
    const state = JSON.parse(readFileSync(join(planDir.dir, 'reports', runId ?? '-', 'state.json'), 'utf8')) as {
      completed: Record<string, unknown>;
      isolationProven: boolean;
      sanitizeProofPassed: boolean;
    };
    t.same(Object.keys(state.completed).sort(), ['isolate', 'prove', 'restore', 'sanitize'], 'the four stages ran, nothing after them');
    t.ok(state.isolationProven && state.sanitizeProofPassed, 'isolation and the sanitize proof passed');
    const ns = namespaceNameFor(runId ?? '-');
    t.ok((await listNamespaces()).includes(ns), 'the sandbox namespace exists');
    t.match(execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { encoding: 'utf8' }), /table inet /, 'with its nftables table');
    const sinkholePid = readSandboxRecord(ns)?.sinkholePid ?? 0;
    t.ok(alive(sinkholePid), 'and its sinkholes');

    const again = await engine.run(project, ['up', '-s', 'local', '--yes', '--skip-preview']);
    t.comment(`second pulumi up: ${again.seconds.toFixed(1)} s`);
    t.equal(again.code, 0);
    t.match(again.output, /5 unchanged/, 'a second up changes nothing');
    t.notMatch(again.output, /created|updated|replaced|deleted/);

    const destroy = await engine.run(project, ['destroy', '-s', 'local', '--yes']);
    t.comment(`pulumi destroy: ${destroy.seconds.toFixed(1)} s`);
    t.equal(destroy.code, 0, `pulumi destroy succeeds${destroy.code === 0 ? '' : `:\n${destroy.output}`}`);
    t.match(destroy.output, /- 5 deleted/);
    t.notOk((await listNamespaces()).includes(ns), 'namespace gone, and its nftables table with it');
    t.notOk(alive(sinkholePid), 'sinkholes gone');
    t.notOk(existsSync(`/etc/netns/${ns}`), 'hosts override gone');
    t.notOk(existsSync(join(planDir.dir, 'reports', runId ?? '-', 'work')), 'database copy gone');

    const twice = await engine.run(project, ['destroy', '-s', 'local', '--yes']);
    t.equal(twice.code, 0, 'destroy again succeeds');
    t.notMatch(twice.output, /- \d+ deleted/, 'and has nothing left to delete');
  });
}
