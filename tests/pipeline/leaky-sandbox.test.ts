import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeSample, NODE_TS, REHEARSE, readReport } from '../helpers/sample-fixture.js';

// Large enough that sanitize takes a while: the test opens its leak between isolate and prove.
const sample = makeSample(3000, 5);
t.teardown(() => sample.cleanup());

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

t.test('a sandbox with a path out stops the run before the bill run, naming the destination', async (t) => {
  const plan = sample.plan('leaky');
  const reports = join(dirname(plan), 'reports');
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, '--json', 'all', plan], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let namespace: string | undefined;
  const deadline = Date.now() + 60_000;
  while (namespace === undefined && Date.now() < deadline) {
    for (const run of existsSync(reports) ? readdirSync(reports) : []) {
      try {
        namespace = (JSON.parse(readFileSync(join(reports, run, 'state.json'), 'utf8')) as { namespace?: string }).namespace;
      } catch {
        // state.json is replaced atomically; a read can race the rename
      }
    }
    if (namespace === undefined) await sleep(10);
  }
  t.ok(namespace, 'the run made its sandbox');

  // A second namespace stands in for the internet; the hook links it to the sandbox and lets
  // traffic to 203.0.113.5 past the default-deny policy: one path out.
  const internet = `rhtest-inet-${process.pid}`;
  ip('netns', 'add', internet);
  t.teardown(() => ip('netns', 'delete', internet));
  const tag = String(process.pid % 100000);
  ip('link', 'add', `lp${tag}a`, 'netns', namespace ?? '', 'type', 'veth', 'peer', 'name', `lp${tag}b`, 'netns', internet);
  ip('-n', namespace ?? '', 'addr', 'add', '203.0.113.1/24', 'dev', `lp${tag}a`);
  ip('-n', namespace ?? '', 'link', 'set', `lp${tag}a`, 'up');
  ip('-n', internet, 'addr', 'add', '203.0.113.5/24', 'dev', `lp${tag}b`);
  ip('-n', internet, 'link', 'set', `lp${tag}b`, 'up');
  ip('netns', 'exec', namespace ?? '', 'nft', 'delete', 'table', 'inet', 'rehearsal');
  const server = spawn('ip', [
    'netns', 'exec', internet, process.execPath, '-e',
    "require('net').createServer((s) => s.end('220 not a sinkhole\\r\\n')).listen(25, '203.0.113.5', () => console.log('listening'))",
  ]);
  t.teardown(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));

  t.equal(await exited, 1, 'exit 1: a safety rule stopped the run');
  const outcome = JSON.parse(stdout) as { verdict: string; report: string };
  t.equal(outcome.verdict, 'NO-GO');
  const report = readReport(outcome.report);
  t.equal(report.stages.find((s) => s.name === 'prove')?.status, 'failed');
  t.equal(report.stages.find((s) => s.name === 'bill-run')?.status, 'skipped', 'the bill run never started');
  const isolation = report.checks.find((c) => c.id === 'isolation');
  t.equal(isolation?.status, 'failed');
  t.match(isolation?.summary, /203\.0\.113\.5:25/, 'the leaking destination is named in the report');
  t.match(stderr, /Isolation not proven/);
  t.notOk((await import('../../src/sandbox/namespace.js').then((m) => m.listNamespaces())).includes(namespace ?? ''), 'the sandbox was destroyed');
});
