import t from 'tap';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeSample, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';

// Sentinels that must never reach a child: the masking key and a SQL Server connection string.
const MASKING_KEY = 'masking-key-sentinel-5f1c9e';
const CONNECTION_STRING = 'Server=sql.example.test,1433;User Id=sa;Password=connection-sentinel-a8d2';

interface SeenProcess {
  readonly pid: number;
  readonly environ: string;
}

/** Processes whose command line names `marker` and `script`, with their environment as read from /proc. */
function processesRunning(script: string, marker: string): SeenProcess[] {
  const seen: SeenProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(script) && cmdline.includes(marker)) seen.push({ pid: Number(entry), environ: readFileSync(`/proc/${entry}/environ`, 'utf8') });
    } catch {
      // the process ended between listing and reading
    }
  }
  return seen;
}

t.test('the sinkholes and the billing service get neither the masking key nor the connection string', async (t) => {
  const sample = makeSample(300, 11);
  t.teardown(() => sample.cleanup());
  const plan = sample.plan('child-env');
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, '--json', 'all', plan], {
    env: { ...process.env, REHEARSAL_SANITIZE_SECRET: MASKING_KEY, REHEARSAL_MSSQL_URL: CONNECTION_STRING },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  const environs = { sinkholes: new Map<number, string>(), service: new Map<number, string>() };
  while (!done) {
    for (const p of processesRunning('src/sinkholes/main.ts', sample.dir)) environs.sinkholes.set(p.pid, p.environ);
    for (const p of processesRunning('sample-platform/service/main.ts', sample.dir)) environs.service.set(p.pid, p.environ);
    await sleep(20);
  }
  t.equal(await exited, 0, `the rehearsal ends GO\n${stderr.slice(-2000)}`);
  t.ok(environs.sinkholes.size > 0, 'the sinkhole process was seen while it ran');
  t.ok(environs.service.size > 0, 'the billing service was seen while it ran');
  for (const [kind, byPid] of Object.entries(environs)) {
    for (const [pid, environ] of byPid) {
      t.notOk(environ.includes(MASKING_KEY), `${kind} (pid ${pid}) does not hold the masking key`);
      t.notOk(environ.includes('connection-sentinel'), `${kind} (pid ${pid}) does not hold the connection string`);
      t.ok(environ.split('\0').some((v) => v.startsWith('PATH=')), `${kind} (pid ${pid}) still has PATH`);
    }
  }
});
