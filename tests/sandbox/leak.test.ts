import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { SafetyError } from '../../src/errors.js';
import { proveIsolation } from '../../src/sandbox/probes.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

t.test('a sandbox with a way out fails the proof, naming where it leaked', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-leak-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const catalogue = loadEgressCatalogue();
  const sandbox = await startSandbox({ runId: uniqueRunId('leak'), runDir, catalogue, egress: sampleEgress, platformHosts: [] });
  t.teardown(() => sandbox.stop());
  const ns = sandbox.namespace.name;

  // A second namespace stands in for the internet: 203.0.113.5 serves HTTPS-ish bytes on 443.
  const internet = `rhtest-net-${process.pid}`;
  ip('netns', 'add', internet);
  t.teardown(() => ip('netns', 'delete', internet));
  const tag = String(process.pid % 100000);
  ip('link', 'add', `lk${tag}a`, 'netns', ns, 'type', 'veth', 'peer', 'name', `lk${tag}b`, 'netns', internet);
  ip('-n', ns, 'addr', 'add', '203.0.113.1/24', 'dev', `lk${tag}a`);
  ip('-n', ns, 'link', 'set', `lk${tag}a`, 'up');
  ip('-n', internet, 'addr', 'add', '203.0.113.5/24', 'dev', `lk${tag}b`);
  ip('-n', internet, 'link', 'set', `lk${tag}b`, 'up');
  ip('-n', internet, 'link', 'set', 'lo', 'up');
  const server = spawn('ip', [
    'netns', 'exec', internet, process.execPath, '-e',
    "require('net').createServer((s) => s.end('HTTP/1.1 200 OK\\r\\n\\r\\n')).listen(443, '203.0.113.5', () => console.log('listening'))",
  ]);
  t.teardown(() => server.kill('SIGKILL'));
  await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
  const input = { namespace: ns, nonce: sandbox.nonce, localRanges: sandbox.hostMap.localRanges, catalogue, egress: sampleEgress };

  const held = await proveIsolation(input);
  t.equal(held.counts.leak, 0, 'with the default-deny policy in place, even a rogue link leaks nothing');
  t.equal(held.results.find((r) => r.host === '203.0.113.5' && r.port === 443)?.detail, 'EHOSTUNREACH', 'the policy rejected it');

  ip('netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'rehearsal');
  const error = await proveIsolation(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, SafetyError);
  t.equal((error as SafetyError).exitCode, 1);
  t.match((error as Error).message, /tcp\/203\.0\.113\.5:443 — connected/, 'the leaking destination is named');
  t.match((error as Error).message, /default-deny egress policy .* is missing/);
  t.match((error as Error).message, /packet\(s\) left by a non-loopback interface/);
});
