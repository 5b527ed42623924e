import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, readReport, rehearse } from '../helpers/sample-fixture.js';
import { keeperStarter } from '../helpers/keeper.js';
import { eventually } from '../helpers/wait-for.js';

const sample = makeSample(60, 31);
t.teardown(() => sample.cleanup());

t.test('stage by stage in separate processes: the keeper holds the sandbox from up to down', async (t) => {
  const up = keeperStarter(t);
  // Two of the example's probe items: http and sql probes, and a job judged by the keeper's
  // sinkholes (it provisions the account the sign-up made) are what verify needs the running
  // sandbox for; the other items are tests/probes/' business.
  const plan = sample.plan('stages', { probes: ['sign-up', 'provisioning-outside-billing'] });
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
  const checks = readReport(join(started.runDir, 'report.md')).checks;
  for (const id of ['checklist.sign-up.1-http', 'checklist.sign-up.2-sql', 'checklist.provisioning-outside-billing.1-job']) t.equal(checks.find((c) => c.id === id)?.status, 'passed', `${id} ran in the keeper's sandbox`);

  const down = rehearse(['--json', 'down', plan]);
  t.equal(down.status, 0, down.stderr);
  t.match((JSON.parse(down.stdout) as { removed: string[] }).removed.join('\n'), /sandbox keeper/);
  t.ok(await eventually(() => !isProcessAlive(started.keeperPid)), 'keeper gone');
  t.notOk((await listNamespaces()).includes(started.namespace), 'namespace gone');
  t.notOk(existsSync(join(started.runDir, 'work')), 'database copy gone');
  t.equal(rehearse(['down', plan]).status, 0, 'down can run twice');
});
