import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSample, NODE_TS, REHEARSE, readReport } from '../helpers/sample-fixture.js';
import { latestState, reportsOf } from '../helpers/interrupted-run.js';
import { waitFor } from '../helpers/wait-for.js';
import { listNamespaces } from '../../src/sandbox/namespace.js';

const sample = makeSample(60, 5);
t.teardown(() => sample.cleanup());

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

/**
 * An `ip` first on the run's PATH that holds the start of the isolation probes (`ip netns exec …
 * probe-runner.ts`) until the test releases it, and runs every other command as it is: the test
 * opens its leak after the sandbox was made and before anything probes it, on any machine load.
 */
function holdProbes(): { path: string; waiting: () => boolean; release: () => void } {
  const bin = mkdtempSync(join(tmpdir(), 'rehearsal-hold-'));
  const realIp = execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim();
  const waiting = join(bin, 'waiting');
  const go = join(bin, 'go');
  // Gives up holding after 120 s, so a test that died never leaves it behind.
  writeFileSync(
    join(bin, 'ip'),
    `#!/bin/sh
case "$*" in
  *probe-runner*) : > '${waiting}'; i=0; while [ ! -e '${go}' ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done ;;
esac
exec '${realIp}' "$@"
`,
  );
  chmodSync(join(bin, 'ip'), 0o755);
  t.teardown(() => {
    writeFileSync(go, '');
    rmSync(bin, { recursive: true, force: true });
  });
  return { path: `${bin}:${process.env.PATH ?? ''}`, waiting: () => existsSync(waiting), release: () => writeFileSync(go, '') };
}

t.test('a sandbox with a path out stops the run before the bill run, naming the destination', async (t) => {
  const plan = sample.plan('leaky');
  const hold = holdProbes();
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, '--json', 'all', plan], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: hold.path } });
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  await waitFor('the isolation probes to start', () => (hold.waiting() ? true : undefined), {
    timeoutMs: 100_000,
    giveUp: () => (child.exitCode !== null ? `the run exited with ${child.exitCode} first:\n${stderr}` : undefined),
  });
  const namespace = latestState(reportsOf(plan))?.namespace ?? '';
  t.ok((await listNamespaces()).includes(namespace), 'the run made its sandbox');

  // A second namespace stands in for the internet; the test links it to the sandbox and lets
  // traffic to 203.0.113.5 past the default-deny policy: one path out.
  const internet = `rhtest-inet-${process.pid}`;
  ip('netns', 'add', internet);
  t.teardown(() => ip('netns', 'delete', internet));
  const tag = String(process.pid % 100000);
  ip('link', 'add', `lp${tag}a`, 'netns', namespace, 'type', 'veth', 'peer', 'name', `lp${tag}b`, 'netns', internet);
  ip('-n', namespace, 'addr', 'add', '203.0.113.1/24', 'dev', `lp${tag}a`);
  ip('-n', namespace, 'link', 'set', `lp${tag}a`, 'up');
  ip('-n', internet, 'addr', 'add', '203.0.113.5/24', 'dev', `lp${tag}b`);
  ip('-n', internet, 'link', 'set', `lp${tag}b`, 'up');
  ip('netns', 'exec', namespace, 'nft', 'delete', 'table', 'inet', 'rehearsal');
  const server = spawn('ip', [
    'netns', 'exec', internet, process.execPath, '-e',
    "require('net').createServer((s) => s.end('220 not a sinkhole\\r\\n')).listen(25, '203.0.113.5', () => console.log('listening'))",
  ]);
  t.teardown(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
  hold.release();

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
  t.notOk((await listNamespaces()).includes(namespace), 'the sandbox was destroyed');
});
