import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';

const sample = makeSample(300, 31);
const keepers: number[] = [];
t.teardown(async () => {
  // A failed assertion must not leave a keeper (and its sandbox) running.
  for (const pid of keepers) if (isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
  await sleep(500);
  sample.cleanup();
});

interface Up {
  runId: string;
  runDir: string;
  namespace: string;
  keeperPid: number;
  alreadyUp: boolean;
}

function up(plan: string, ...extra: string[]): Up {
  const result = rehearse(['--json', 'up', ...extra, plan]);
  if (result.status !== 0) throw new Error(`up failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as Up;
  keepers.push(parsed.keeperPid);
  return parsed;
}

t.test('stage by stage in separate processes: the keeper holds the sandbox from up to down', async (t) => {
  const plan = sample.plan('stages');
  const started = up(plan);
  t.ok(isProcessAlive(started.keeperPid), 'the keeper runs after `up` returned');
  t.ok((await listNamespaces()).includes(started.namespace), 'the sandbox exists');
  t.equal(up(plan).alreadyUp, true, 'a second `up` finds the running sandbox');

  const early = rehearse(['bill-run', plan]);
  t.equal(early.status, 1, 'bill run before restore is refused');
  t.match(early.stderr, /Refusing to bill-run: it needs the database copy exactly as sanitize left it/);

  for (const stage of ['restore', 'sanitize']) {
    const run = rehearse(['--json', stage, plan]);
    t.equal(run.status, 0, `${stage}: ${run.stderr}`);
    t.match(JSON.parse(run.stdout), { runId: started.runId, stage, status: 'passed' });
  }
  const unproven = rehearse(['bill-run', plan]);
  t.equal(unproven.status, 1);
  t.match(unproven.stderr, /Refusing to start the bill run: isolation was not proven in the sandbox that runs now/);

  for (const stage of ['prove', 'bill-run', 'verify']) {
    const run = rehearse(['--json', stage, plan]);
    t.equal(run.status, 0, `${stage}: ${run.stderr}`);
  }
  const report = rehearse(['--json', 'report', plan]);
  t.equal(report.status, 0, report.stderr);
  t.match(JSON.parse(report.stdout), { runId: started.runId, verdict: 'GO' });
  t.ok(existsSync(join(started.runDir, 'report.json')));

  const down = rehearse(['--json', 'down', plan]);
  t.equal(down.status, 0, down.stderr);
  t.match((JSON.parse(down.stdout) as { removed: string[] }).removed.join('\n'), /sandbox keeper/);
  await sleep(300);
  t.notOk(isProcessAlive(started.keeperPid), 'keeper gone');
  t.notOk((await listNamespaces()).includes(started.namespace), 'namespace gone');
  t.notOk(existsSync(join(started.runDir, 'work')), 'database copy gone');
  t.equal(rehearse(['down', plan]).status, 0, 'down can run twice');
});

t.test('a proof made in a sandbox that died does not let a bill run start in the next one', async (t) => {
  const plan = sample.plan('keeper-killed');
  const first = up(plan);
  for (const stage of ['restore', 'sanitize', 'prove']) t.equal(rehearse([stage, plan]).status, 0, stage);
  process.kill(first.keeperPid, 'SIGKILL');
  await sleep(300);

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
  await sleep(300);
  t.notOk(isProcessAlive(second.keeperPid), 'keeper gone');
  t.notOk((await listNamespaces()).includes(second.namespace), 'namespace gone');
});
