import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeSample, NODE_TS } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { benchmarkRoundTrips } from '../../bench/round-trip/measure.js';
import { ROUND_TRIP_NAMESPACE_PREFIX } from '../../bench/round-trip/link.js';
import { loadRuleSet } from '../../src/sanitize/rules.js';
import { RULES } from '../../bench/sanitize-setup.js';
import { vethFor } from '../../src/sandbox/veth.js';

const sample = makeSample(120, 4);
const dir = mkdtempSync(join(tmpdir(), 'rehearsal-round-trip-test-'));
t.teardown(() => {
  sample.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The round-trip namespaces still present that process `pid` made (`ip netns list` prints
 * `name (id: n)`; the name carries its maker's pid), so a bench or test running beside this one
 * does not count.
 */
function leftovers(pid = process.pid): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${ROUND_TRIP_NAMESPACE_PREFIX}${pid}-`));
}

t.test('row by row and set-based over a veth link to the server: one figure per rule, the round trip measured, nothing left behind', async (t) => {
  const result = await benchmarkRoundTrips(sample.snapshot, dir, { sliceRows: 50 });
  t.same(result.rules.map((r) => r.rule), loadRuleSet(RULES).rules.map((r) => r.index + 1), 'every rule measured');
  t.ok(result.rules.every((r) => r.rows > 0 && r.rows <= 50), 'each rule on a non-empty slice of at most 50 rows');
  t.equal(result.rows, result.rules.reduce((n, r) => n + r.rows, 0));
  t.ok(result.roundTripMs > 0 && result.roundTripMs < 20, `a real, local round trip (${result.roundTripMs} ms)`);
  t.equal(result.addedDelayMs, 0);
  t.ok(result.setBasedMs > 0 && result.rowByRowMs > 0);
  t.equal(result.rowByRowToSetBased, result.rowByRowMs / result.setBasedMs);
  t.same(leftovers(), [], 'no namespace left');
  t.ok(result.namespace.startsWith(ROUND_TRIP_NAMESPACE_PREFIX));
  t.not(spawnSync('ip', ['link', 'show', vethFor(result.namespace).hostInterface]).status, 0, 'no veth left');
});

t.test('a delay added by the server shows in the measured round trip and in every row', async (t) => {
  const result = await benchmarkRoundTrips(sample.snapshot, dir, { sliceRows: 10, addedDelayMs: 2 });
  t.ok(result.roundTripMs >= 2 && result.roundTripMs < 20, `round trip ${result.roundTripMs} ms with 2 ms added`);
  t.ok(result.rowByRowMs >= result.rows * 2, 'each row paid the delay at least once');
  t.same(leftovers(), []);
});

t.test('a server that cannot start leaves no namespace, and says what it needs', async (t) => {
  const notADatabase = join(dir, 'not-a-database.db');
  writeFileSync(notADatabase, 'this is not a SQLite file, so the server fails as it starts'.repeat(100));
  await t.rejects(benchmarkRoundTrips(notADatabase, dir), /^cannot measure row by row over a network round trip: the round-trip server did not start \(exited with code 1\).*It needs root/);
  t.same(leftovers(), []);
});

t.test('Ctrl-C while the link is open removes the server and the namespace', async (t) => {
  const script = join(dir, 'hold-link.mts');
  writeFileSync(
    script,
    `import { openRoundTripLink } from ${JSON.stringify(join(PROJECT_ROOT, 'bench/round-trip/link.ts'))};\n` +
      `const link = await openRoundTripLink(${JSON.stringify(sample.snapshot)}, 0);\nawait link.client.ping();\nconsole.log(link.namespace);\nsetInterval(() => undefined, 1000);\n`,
  );
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const namespace = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  t.ok(leftovers(child.pid).includes(namespace), 'the namespace exists while the link is open');
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  t.equal(await exited, 130);
  t.same(leftovers(child.pid), [], 'removed on Ctrl-C');
});
