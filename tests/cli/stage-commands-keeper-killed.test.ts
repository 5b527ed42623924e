import t from 'tap';
import { dirname } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import { keeperStarter } from '../helpers/keeper.js';
import { eventually } from '../helpers/wait-for.js';

const sample = makeSample(60, 37);
t.teardown(() => sample.cleanup());

t.test('a proof made in a sandbox that died does not let a bill run start in the next one', async (t) => {
  const up = keeperStarter(t);
  const plan = sample.plan('keeper-killed');
  const first = up(plan);
  for (const stage of ['restore', 'sanitize', 'prove']) t.equal(rehearse([stage, plan]).status, 0, stage);
  process.kill(first.keeperPid, 'SIGKILL');
  t.ok(await eventually(() => !isProcessAlive(first.keeperPid)), 'the keeper died');

  const orphaned = rehearse(['bill-run', plan]);
  t.equal(orphaned.status, 1);
  t.match(orphaned.stderr, /has no sandbox running \(its keeper is gone\)/);

  const second = up(plan);
  t.equal(second.runId, first.runId, 'the same run gets a new sandbox');
  t.not(second.keeperPid, first.keeperPid);
  const stale = rehearse(['bill-run', plan]);
  t.equal(stale.status, 1, 'the old proof does not count');
  t.match(stale.stderr, /isolation was not proven in the sandbox that runs now/);
  t.equal(rehearse(['prove', plan]).status, 0, 'prove again');
  const billed = rehearse(['bill-run', plan]);
  t.equal(billed.status, 0, billed.stderr);
  t.equal(rehearse(['down', '--reports', dirname(first.runDir), first.runId]).status, 0);
  t.ok(await eventually(() => !isProcessAlive(second.keeperPid)), 'keeper gone');
  t.notOk((await listNamespaces()).includes(second.namespace), 'namespace gone');
});
