// A stack that breaks an isolation rule fails `pulumi preview --policy-pack policy` on the real Pulumi
// engine: the analyzer loads the pack (policy/index.cjs) and reports the mandatory violation.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { engineIn, findEngineBin, INSTALL_HINT, oneFileProject } from './engine.js';

const bin = findEngineBin();
if (bin === undefined) {
  t.fail(INSTALL_HINT);
} else {
  const dir = t.testdir();
  const engine = engineIn(bin, dir);
  const policyPack = join(PROJECT_ROOT, 'policy');

  t.test('a stack whose resources break an isolation policy fails through the engine, at preview', async (t) => {
    const project = oneFileProject(
      dir,
      'policy-probe',
      `import * as pulumi from '@pulumi/pulumi';
// A component needs no provider plugin, and the engine shows it to policy packs like any resource of its type.
new pulumi.ComponentResource('aws:ec2/internetGateway:InternetGateway', 'leak');
`,
    );
    const config = join(dir, 'policy-config.json');
    writeFileSync(config, JSON.stringify({ 'no-internet-path': { egressPolicy: 'deny-all' }, 'no-route-to-switch-networks': { switchCidrs: [], egressPolicy: 'deny-all' }, 'tagged-with-release-candidate': { releaseCandidate: 'rc-probe' } }));
    t.equal((await engine.run(project, ['stack', 'init', 'probe'])).code, 0);
    const preview = await engine.run(project, ['preview', '-s', 'probe', '--policy-pack', policyPack, '--policy-pack-config', config]);
    t.not(preview.code, 0, 'the preview fails');
    t.match(preview.output, /❌ rehearsal-isolation@v[\d.]+/, 'the engine loaded and ran the pack');
    t.match(preview.output, /\[mandatory\]\s+no-internet-path\s+\(aws:ec2\/internetGateway:InternetGateway: leak\)/, 'the internet gateway is the violation');
  });

}
