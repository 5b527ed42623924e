import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { makeSample, rehearse, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

const sample = makeSample(100, 17);
t.teardown(() => sample.cleanup());

interface State {
  runId: string;
  namespace?: string;
  servicePid?: number;
}

/** Pids of processes whose command line names `text` (the run's folder: the service, the sinkholes). */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) && isProcessAlive(Number(p));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until<T>(what: string, probe: () => T | undefined, deadlineMs = 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts `all` and returns as soon as its billing service process exists, frozen before it is ready. */
async function freezeServiceAtSpawn(plan: string): Promise<{ child: ReturnType<typeof spawn>; runDir: string; servicePid: number }> {
  const reports = join(dirname(plan), 'reports');
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, 'all', plan], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  // A deadline, not a wait: on a busy machine the run takes long to reach its bill run.
  const found = await until('the billing service to be spawned', () => {
    for (const run of existsSync(reports) ? readdirSync(reports) : []) {
      const [pid] = processesNaming(join(reports, run, 'work', 'billing.sock'));
      if (pid !== undefined) return { runDir: join(reports, run), pid };
    }
    return undefined;
  }, 100_000);
  // Frozen, it never opens its control socket: the driver is still waiting for it to be ready.
  process.kill(found.pid, 'SIGSTOP');
  return { child, runDir: found.runDir, servicePid: found.pid };
}

t.test('SIGTERM at the very start of the bill run: the service pid is recorded at spawn and nothing is left after down', async (t) => {
  const plan = sample.plan('term-at-spawn');
  const { child, runDir, servicePid } = await freezeServiceAtSpawn(plan);
  t.teardown(() => {
    if (isProcessAlive(servicePid)) process.kill(servicePid, 'SIGKILL');
  });
  // The driver records the pid right after spawn() returns, which can be a moment after the
  // process shows in /proc; the service is frozen, so it is recorded without ever becoming ready.
  const readState = (): State => JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as State;
  await until('the service pid to be recorded', () => readState().servicePid, 20_000).catch(() => undefined);
  const state = readState();
  t.equal(state.servicePid, servicePid, 'the service pid is in the run state before the service is ready');

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 143);
  const down = rehearse(['down', '--reports', dirname(runDir), state.runId]);
  t.equal(down.status, 0, down.stderr);
  await until('every process of the run to be gone', () => (processesNaming(runDir).length === 0 ? true : undefined), 15_000).catch(() => undefined);
  t.same(processesNaming(runDir), [], 'no process of the run is left');
  t.notOk((await listNamespaces()).includes(state.namespace ?? ''), 'namespace removed');
});

t.test('kill -9 of the process driving the bill run: the billing service exits by itself, as the sinkholes do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-orphan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(sample.snapshot, join(dir, 'copy.db'));
  // The driver in a process of its own, outside any namespace (`env` stands in for `ip netns exec`).
  const script = join(dir, 'drive.mts');
  writeFileSync(
    script,
    `import { SamplePlatformDriver } from ${JSON.stringify(join(PROJECT_ROOT, 'platforms/sample/driver.ts'))};
const driver = new SamplePlatformDriver({
  namespace: { name: 'none', execPrefix: ['env'] },
  database: { kind: 'sqlite', path: ${JSON.stringify(join(dir, 'copy.db'))} },
  socketPath: ${JSON.stringify(join(dir, 'billing.sock'))},
  logPath: ${JSON.stringify(join(dir, 'billing.log'))},
  release: 'candidate',
  faults: [],
  onSpawn: (pid) => process.stdout.write('SPAWNED ' + pid + '\\n'),
});
await driver.start();
process.stdout.write('READY\\n');
setInterval(() => undefined, 1000);
`,
  );
  const [node, ...loader] = NODE_TS;
  const parent = spawn(node, [...loader, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => parent.kill('SIGKILL'));
  let output = '';
  parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await until('the service to be ready', () => (output.includes('READY') ? true : undefined)).catch((error: Error) => {
    throw new Error(`${error.message}; driver said ${JSON.stringify(output)}; service log: ${existsSync(join(dir, 'billing.log')) ? readFileSync(join(dir, 'billing.log'), 'utf8') : 'none'}`);
  });
  const servicePid = Number(/SPAWNED (\d+)/.exec(output)?.[1]);
  t.teardown(() => {
    if (isProcessAlive(servicePid)) process.kill(servicePid, 'SIGKILL');
  });
  t.ok(output.indexOf('SPAWNED') < output.indexOf('READY'), 'the pid is reported at spawn, before the service is ready');
  t.ok(isProcessAlive(servicePid), 'the service runs');

  const exited = new Promise((resolve) => parent.once('exit', resolve));
  parent.kill('SIGKILL');
  await exited;
  await until('the orphaned service to exit', () => (isProcessAlive(servicePid) ? undefined : true), 20_000).catch(() => undefined);
  t.notOk(isProcessAlive(servicePid), 'the service exited when its parent went away, without any `down`');
});
