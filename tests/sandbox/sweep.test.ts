import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { destroySandbox, startSandbox, sweepOrphanSandboxes } from '../../src/sandbox/sandbox.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

t.test('a sandbox left by a run killed with -9 is swept; a live run\'s is not', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-sweep-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const orphanRunId = uniqueRunId('orphan');
  t.teardown(() => destroySandbox(orphanRunId));

  const owner = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./fixtures/orphan-owner.ts', import.meta.url)), orphanRunId, join(runDir, 'orphan')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await new Promise<string>((resolve) => owner.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
  const [, orphanNs = '', pid = '0'] = started.trim().split(' ');
  const sinkholePid = Number(pid);
  owner.kill('SIGKILL');
  await new Promise((r) => owner.once('exit', r));

  t.ok(await waitFor(() => !alive(sinkholePid), 3000), 'the sinkhole process exits by itself once its owner is gone');
  t.ok((await listNamespaces()).includes(orphanNs), 'the namespace is still there until swept');

  const live = await startSandbox({ runId: uniqueRunId('live'), runDir: join(runDir, 'live'), catalogue: loadEgressCatalogue(), egress: sampleEgress, platformHosts: [], terminateTls: false });
  t.teardown(() => live.stop());

  const swept = await sweepOrphanSandboxes();
  t.ok(swept.some((line) => line.startsWith(orphanNs)), 'the orphan is reported swept');
  const namespaces = await listNamespaces();
  t.notOk(namespaces.includes(orphanNs), 'orphan namespace removed');
  t.notOk(existsSync(`/etc/netns/${orphanNs}`), 'orphan hosts override removed');
  t.ok(namespaces.includes(live.namespace.name), 'the sandbox of a live run is left alone');
});
