import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { readEgressCounters } from '../../src/sandbox/nftables.js';
import { OWNERSHIP_DIR, readSandboxRecord } from '../../src/sandbox/ownership.js';
import { runProbes } from '../../src/sandbox/probes.js';
import { destroySandbox, startSandbox } from '../../src/sandbox/sandbox.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';

function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('a sandbox with a database link reaches only that port, and destroy leaves nothing', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-teardown-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const port = 20000 + (process.pid % 20000);
  const sandbox = await startSandbox({
    runId: uniqueRunId('down'),
    runDir,
    catalogue: loadEgressCatalogue(),
    egress: sampleEgress,
    platformHosts: [],
    database: { port },
  });
  t.teardown(() => sandbox.stop());
  const ns = sandbox.namespace.name;
  const link = sandbox.database?.link;
  if (!link) throw new Error('no database link');

  // The database server stands on the host end of the link.
  const database = createServer((s) => s.end('database\n'));
  await new Promise<void>((resolve) => database.listen(port, link.hostAddress, resolve));
  t.teardown(() => database.close());
  const results = await runProbes(ns, {
    nonce: sandbox.nonce,
    localRanges: [],
    probes: [
      { protocol: 'tcp', host: link.hostAddress, port, why: 'database' },
      { protocol: 'tcp', host: link.hostAddress, port: 22, why: 'another port on the database host' },
    ],
  });
  t.match(results[0], { outcome: 'leak', detail: /connected/ }, 'the database port is reachable (so not a sinkhole)');
  t.match(results[1], { outcome: 'unreachable', detail: 'EHOSTUNREACH' }, 'any other port on the same host is not');
  const counters = await readEgressCounters(ns);
  t.ok(counters.leftPackets > 0, 'packets to the database passed the policy');
  t.ok(counters.deniedPackets > 0, 'the other attempt was counted as denied');

  const record = readSandboxRecord(ns);
  const sinkholePid = record?.sinkholePid ?? 0;
  t.ok(alive(sinkholePid), 'sinkhole process running');
  t.ok(linkExists(link.hostInterface), 'veth link present');
  t.ok(existsSync(`/etc/netns/${ns}/hosts`), 'hosts override present');

  const removed = await sandbox.stop();
  t.ok(removed.length > 0);
  t.notOk((await listNamespaces()).includes(ns), 'namespace gone (and with it the nftables table)');
  t.notOk(linkExists(link.hostInterface), 'veth link gone');
  t.notOk(existsSync(`/etc/netns/${ns}`), 'hosts override gone');
  t.notOk(existsSync(join(OWNERSHIP_DIR, `${ns}.json`)), 'ownership record gone');
  t.notOk(alive(sinkholePid), 'sinkhole process gone');
  t.same(await destroySandbox(ns), [], 'destroying again finds nothing and does not fail');
});

t.test('destroy still ends the sinkholes when the namespace was deleted by hand', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-teardown-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const sandbox = await startSandbox({ runId: uniqueRunId('hand'), runDir, catalogue: loadEgressCatalogue(), egress: sampleEgress, platformHosts: [], terminateTls: false });
  t.teardown(() => sandbox.stop());
  const ns = sandbox.namespace.name;
  const sinkholePid = readSandboxRecord(ns)?.sinkholePid ?? 0;
  execFileSync('ip', ['netns', 'delete', ns]);
  t.ok(alive(sinkholePid), 'deleting the namespace alone leaves the sinkhole process running');
  const removed = await destroySandbox(ns);
  t.ok(removed.includes(`sinkhole process ${sinkholePid}`));
  for (let i = 0; i < 40 && alive(sinkholePid); i++) await new Promise((r) => setTimeout(r, 50));
  t.notOk(alive(sinkholePid), 'destroy ended it by its recorded pid');
});
