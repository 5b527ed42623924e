import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { readEgressCounters } from '../../src/sandbox/nftables.js';
import { checkNothingLeft } from '../../src/checks/no-egress.js';
import { OWNERSHIP_DIR, readSandboxRecord } from '../../src/sandbox/ownership.js';
import { runProbes } from '../../src/sandbox/probes.js';
import { destroySandbox, startSandbox } from '../../src/sandbox/sandbox.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';
import { eventually } from '../helpers/wait-for.js';

const execFileAsync = promisify(execFile);

/** A sandbox with a database link, and a stand-in database server listening on the link's host end. */
async function sandboxWithDatabase(t: Test, label: string, portOffset: number, host?: string) {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-dblink-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const port = 20000 + ((process.pid + portOffset) % 20000);
  const sandbox = await startSandbox({
    runId: uniqueRunId(label),
    runDir,
    catalogue: loadEgressCatalogue(),
    egress: sampleEgress,
    platformHosts: [],
    database: { port, ...(host !== undefined ? { host } : {}) },
  });
  t.teardown(() => sandbox.stop());
  const link = sandbox.database?.link;
  if (!link) throw new Error('no database link');
  const database = createServer((s) => s.end('database\n'));
  await new Promise<void>((resolve) => database.listen(port, link.hostAddress, resolve));
  t.teardown(() => database.close());
  return { sandbox, ns: sandbox.namespace.name, link, port };
}

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
  const { sandbox, ns, link, port } = await sandboxWithDatabase(t, 'down', 0);
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
  t.ok(await eventually(() => !alive(sinkholePid)), 'destroy ended it by its recorded pid');
});

t.test('with a database link, traffic to the database is not a leak and anything else still is', async (t) => {
  const { ns, link, port } = await sandboxWithDatabase(t, 'dbl', 7, 'sql.rehearsal.example');
  const before = await readEgressCounters(ns);
  // The platform's side: the server's name resolves to the link inside the sandbox, never to a sinkhole.
  // Asynchronous: the database server answering runs in this process.
  const fromInside = async (script: string): Promise<string> => (await execFileAsync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8' })).stdout;
  t.equal((await fromInside("require('dns').lookup('sql.rehearsal.example', (e, a) => console.log(e ? e.code : a))")).trim(), link.hostAddress);
  t.equal((await fromInside(`const s = require('net').connect(${port}, 'sql.rehearsal.example'); s.on('data', (d) => process.stdout.write(d)); s.on('error', (e) => console.log(e.code))`)).trim(), 'database');
  const during = await readEgressCounters(ns);
  t.ok(during.leftPackets > before.leftPackets, 'the database conversation passed the policy');
  t.match(checkNothingLeft(before, during), { status: 'passed', summary: /0 packets left .*to the database server/ }, 'and is not counted as a leak');

  // A path out that is not the database: a second address on the link with the policy gone.
  execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'rehearsal']);
  // Nothing listens there: the attempt ends with a refusal, after its packets left.
  await fromInside(`const s = require('net').connect(${port + 1}, '${link.hostAddress}'); s.setTimeout(5000, () => s.destroy()); s.on('connect', () => s.destroy()); s.on('error', () => {})`);
  let after = await readEgressCounters(ns);
  await eventually(async () => (after = await readEgressCounters(ns)).leftPackets > during.leftPackets);
  t.match(checkNothingLeft(during, after), { status: 'failed', summary: /packet\(s\) left the sandbox .*default-deny policy was gone/ });
});
