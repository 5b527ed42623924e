import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { makeSample, rehearse, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';

const sample = makeSample(1500, 11);
t.teardown(() => sample.cleanup());

interface State {
  runId: string;
  namespace?: string;
  servicePid?: number;
  destroyedAt?: string;
}

const alive = isProcessAlive;

/** Starts a rehearsal and waits until its billing service is running inside the sandbox. */
async function startAndWaitForBillRun(plan: string): Promise<{ child: ReturnType<typeof spawn>; stateFile: string; state: State }> {
  const reports = join(dirname(plan), 'reports');
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, 'all', plan], { stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const run of existsSync(reports) ? readdirSync(reports) : []) {
      const stateFile = join(reports, run, 'state.json');
      if (!existsSync(stateFile)) continue;
      try {
        const state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
        if (state.servicePid !== undefined && state.destroyedAt === undefined) return { child, stateFile, state };
      } catch {
        // written atomically, but a read can race the rename
      }
    }
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error('the bill run never started');
}

t.test('kill -9 during the bill run leaves a sandbox that `down` removes completely', async (t) => {
  const { child, stateFile, state } = await startAndWaitForBillRun(sample.plan('killed'));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  // Any other rehearsal on the machine may sweep the sandbox first (its owner is dead), so what
  // `down` prints depends on other test files; what is left afterwards does not.
  const down = rehearse(['down', '--reports', dirname(dirname(stateFile)), state.runId]);
  t.equal(down.status, 0, down.stderr);
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace removed');
  await sleep(200);
  t.notOk(alive(state.servicePid ?? 0), 'billing service gone');
  t.notOk(existsSync(join(dirname(stateFile), 'work')), 'database copy removed');
  const twice = rehearse(['down', '--reports', dirname(dirname(stateFile)), state.runId]);
  t.equal(twice.status, 0, 'down can run twice');
});

t.test('a killed run is swept by the next run in the same reports folder', async (t) => {
  const plan = sample.plan('swept');
  const { child, state } = await startAndWaitForBillRun(plan);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  t.ok(existsSync(join(dirname(plan), 'reports', state.runId, 'work')), 'the killed run left its database copy');
  const next = rehearse(['all', plan]);
  t.equal(next.status, 0, next.stderr);
  // Its sandbox may already have been swept by any other run on the machine (its owner is dead);
  // its work folder lives in this reports folder, so this run must remove it.
  t.notOk(existsSync(join(dirname(plan), 'reports', state.runId, 'work')), 'database copy of the killed run removed');
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace of the killed run removed');
  await sleep(200);
  t.notOk(alive(state.servicePid ?? 0), 'billing service of the killed run gone');
});

t.test('SIGTERM during the bill run runs the same cleanup', async (t) => {
  const { child, stateFile, state } = await startAndWaitForBillRun(sample.plan('terminated'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 143);
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace removed');
  t.notOk(existsSync(join(dirname(stateFile), 'work')), 'database copy removed');
  await sleep(200);
  t.notOk(alive(state.servicePid ?? 0), 'billing service gone');
});

t.test('without a way to isolate, the bill run is refused, never run unisolated', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'rehearsal-bin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(process.execPath, join(bin, 'node'));
  const env = { ...process.env, PATH: bin };
  const run = rehearse(['all', sample.plan('no-ip')], env);
  t.equal(run.status, 2);
  t.match(run.stderr, /Cannot isolate the bill run/);
  t.match(run.stdout, /Verdict: NO-GO/);
  t.notMatch(run.stderr, /▶ bill-run/, 'the bill run never started');
});
