import t from 'tap';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, readReport, rehearse } from '../helpers/sample-fixture.js';
import { keeperStarter } from '../helpers/keeper.js';
import { eventually } from '../helpers/wait-for.js';

const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

/**
 * One run, stage by stage, through two keepers: the first holds the sandbox from `up` to the
 * proof and is then killed, so the run must get a new sandbox and prove isolation again in it
 * before it may bill; the second holds it to `down`. (The restore, sanitize and proof a separate
 * killed-keeper run would repeat are this run's own.)
 */
t.test('stage by stage in separate processes: the keeper holds the sandbox from up to down; a proof made in a sandbox that died does not count in the next one', async (t) => {
  const up = keeperStarter(t);
  // Two of the example's probe items: http and sql probes, and a job judged by the keeper's
  // sinkholes (it provisions the account the sign-up made) are what verify needs the running
  // sandbox for; the other items are tests/probes/' business.
  const plan = sample.plan('stages', { probes: ['sign-up', 'provisioning-outside-billing'] });
  const first = up(plan);
  t.ok(isProcessAlive(first.keeperPid), 'the keeper runs after `up` returned');
  t.ok((await listNamespaces()).includes(first.namespace), 'the sandbox exists');
  t.equal(up(plan).alreadyUp, true, 'a second `up` finds the running sandbox');

  const early = rehearse(['bill-run', plan]);
  t.equal(early.status, 1, 'bill run before restore is refused');
  t.match(early.stderr, /Refusing to bill-run: it needs the database copy exactly as sanitize left it/);

  for (const stage of ['restore', 'sanitize']) {
    const run = rehearse(['--json', stage, plan]);
    t.equal(run.status, 0, `${stage}: ${run.stderr}`);
    t.match(JSON.parse(run.stdout), { runId: first.runId, stage, status: 'passed' });
  }
  const unproven = rehearse(['bill-run', plan]);
  t.equal(unproven.status, 1);
  t.match(unproven.stderr, /Refusing to start the bill run: isolation was not proven in the sandbox that runs now/);
  const proved = rehearse(['--json', 'prove', plan]);
  t.equal(proved.status, 0, `prove: ${proved.stderr}`);

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

  for (const stage of ['prove', 'bill-run', 'verify']) {
    const run = rehearse(['--json', stage, plan]);
    t.equal(run.status, 0, `${stage}: ${run.stderr}`);
  }
  const report = rehearse(['--json', 'report', plan]);
  t.equal(report.status, 0, report.stderr);
  t.match(JSON.parse(report.stdout), { runId: first.runId, verdict: 'GO' });
  t.ok(existsSync(join(first.runDir, 'report.json')));
  const checks = readReport(join(first.runDir, 'report.md')).checks;
  for (const id of ['checklist.sign-up.1-http', 'checklist.sign-up.2-sql', 'checklist.provisioning-outside-billing.1-job']) t.equal(checks.find((c) => c.id === id)?.status, 'passed', `${id} ran in the keeper's sandbox`);

  const down = rehearse(['--json', 'down', plan]);
  t.equal(down.status, 0, down.stderr);
  t.match((JSON.parse(down.stdout) as { removed: string[] }).removed.join('\n'), /sandbox keeper/);
  t.ok(await eventually(() => !isProcessAlive(second.keeperPid)), 'keeper gone');
  t.notOk((await listNamespaces()).includes(second.namespace), 'namespace gone');
  t.notOk(existsSync(join(first.runDir, 'work')), 'database copy gone');
  t.equal(rehearse(['down', plan]).status, 0, 'down can run twice');
  t.equal(rehearse(['down', '--reports', dirname(first.runDir), first.runId]).status, 0, 'and by its run id');
});
