import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ledgerCheck, figuresOf, type Round, type SinkholeBenchResults } from '../../bench/sinkholes/harness.js';
import { median } from '../../bench/median.js';
import { runLoad, WORKLOADS, type LoadResult } from '../../bench/sinkholes/load.js';
import { SINKHOLE_BEGIN_MARKER, SINKHOLE_END_MARKER } from '../../bench/sinkholes/markdown.js';
import { NGINX, SMTP_SINK } from '../../bench/sinkholes/servers.js';
import { NODE_TS } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

t.test('the load client counts every operation the server saw, warm-up and window apart', async (t) => {
  let seen = 0;
  const server = createServer((socket) => {
    socket.once('data', () => {
      seen++;
      socket.resume();
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await runLoad({ workload: 'tcp', host: '127.0.0.1', port: (server.address() as AddressInfo).port, concurrency: 3, warmupMs: 100, durationMs: 200 });
  t.equal(result.errors, 0);
  t.ok(result.warmupCompleted > 0 && result.completed > 0, 'operations in the warm-up and in the window');
  t.equal(result.completed + result.warmupCompleted + result.drained, seen, 'every connection the server took is counted once');
  t.ok(result.drained <= 3, 'at most one operation per connection finishes after the window');
  t.equal(result.perSecond, result.completed / 0.2, 'the rate is the window\'s operations over its length');
  t.ok(result.p50Ms <= result.p99Ms && result.p99Ms <= result.maxMs, 'percentiles in order');
});

t.test('a server that refuses is counted as errors, not as operations', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const result = await runLoad({ workload: 'smtp', host: '127.0.0.1', port, concurrency: 1, warmupMs: 0, durationMs: 100 });
  t.equal(result.completed + result.warmupCompleted + result.drained, 0);
  t.ok(result.errors > 0);
  t.match(result.firstError, /ECONNREFUSED/);
});

const load = (perSecond: number, p99Ms: number, errors = 0): LoadResult => ({
  workload: 'tcp',
  concurrency: 1,
  completed: perSecond,
  warmupCompleted: 0,
  drained: 0,
  errors,
  measuredMs: 1000,
  perSecond,
  p50Ms: p99Ms / 2,
  p99Ms,
  maxMs: p99Ms,
  clientCpuMs: 1,
});

t.test('ratios are taken within each round, then the median; a goal is met only without errors', async (t) => {
  const round = (ours: number, reference: number, oursP99: number, referenceP99: number, errors = 0): Round => ({
    ours: { load: load(ours, oursP99, errors), serverCpuUsPerOp: 1 },
    reference: { load: load(reference, referenceP99), serverCpuUsPerOp: 1 },
    order: ['ours', 'reference'],
  });
  const figures = figuresOf('tcp', 1, [round(100, 400, 4, 2), round(300, 400, 3, 2), round(50, 50, 1, 1)]);
  t.equal(figures.throughputRatio, 0.75, 'median of 0.25, 0.75 and 1');
  t.equal(figures.p99Ratio, 1.5, 'median of 2, 1.5 and 1');
  t.equal(figures.met, true);
  t.equal(figuresOf('tcp', 1, [round(300, 400, 3, 2, 1)]).met, false, 'an error fails the goal whatever the ratio');
  t.equal(median([3, 1, 2, 10]), 2.5);
});

t.test('the ledger check fails when the sinkholes recorded fewer attempts than the client finished', async (t) => {
  const figures = WORKLOADS.map((workload) => ({ ...figuresOf(workload, 1, [{ ours: { load: load(10, 1), serverCpuUsPerOp: 1 }, reference: { load: load(10, 1), serverCpuUsPerOp: 1 }, order: ['ours', 'reference'] }]) }));
  t.same(ledgerCheck({ mail: 10, payment: 20, provisioning: 10, tls: 14 }, figures), {
    written: { mail: 10, payment: 20, provisioning: 10, tls: 14 },
    expected: { mail: 10, payment: 20, provisioning: 10, tls: 10 },
    complete: true,
  });
  t.equal(ledgerCheck({ mail: 9, payment: 20, provisioning: 10, tls: 14 }, figures).complete, false, 'one mail missing');
});

const referencesInstalled = existsSync(SMTP_SINK) && existsSync(NGINX) && process.getuid?.() === 0;

t.test('a tiny sinkhole bench against the reference servers writes the ratios, the JSON and the Markdown section', { skip: referencesInstalled ? false : 'needs root and the reference servers (scripts/install-system-deps.sh --with-bench-tools)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-sinkhole-bench-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const markdown = join(dir, 'BENCHMARKS.md');
  writeFileSync(markdown, `# Benchmarks\n\nWritten by hand.\n\n${SINKHOLE_BEGIN_MARKER}\nold figures\n${SINKHOLE_END_MARKER}\n\n## After\n`);
  const [node, ...loader] = NODE_TS;
  const bench = spawnSync(
    node,
    [...loader, join(PROJECT_ROOT, 'bench/run.ts'), '--only', 'sinkholes', '--workloads', 'smtp,tcp', '--rounds', '1', '--seconds', '0.3', '--warmup', '0.1', '--concurrency', '2', '--json', '--results-dir', join(dir, 'results'), '--markdown', markdown],
    { encoding: 'utf8', timeout: 100_000 },
  );
  t.equal(bench.status, 0, bench.stderr);
  const printed = JSON.parse(bench.stdout) as SinkholeBenchResults;
  const [file] = readdirSync(join(dir, 'results', 'sinkholes'));
  t.same(JSON.parse(readFileSync(join(dir, 'results', 'sinkholes', file!), 'utf8')), printed, 'the file holds what --json printed');
  t.same(printed.workloads.map((w) => w.workload), ['smtp', 'tcp']);
  for (const w of printed.workloads) {
    t.type(w.throughputRatio, 'number', `${w.workload}: a throughput ratio`);
    t.type(w.p99Ratio, 'number', `${w.workload}: a p99 ratio`);
    t.same(w.rounds[0]!.order, w.workload === 'tcp' ? ['ours', 'reference', 'floor'] : ['ours', 'reference'], `${w.workload}: every server measured`);
    t.equal(w.rounds[0]!.ours.load.errors + w.rounds[0]!.reference.load.errors, 0, `${w.workload}: no failed operations`);
  }
  t.ok(printed.ledger.complete, 'every operation against our sinkholes is in their ledger');
  t.ok(printed.ledger.written.mail > 0 && printed.ledger.written.provisioning > 0, 'mail and provisioning recorded');
  const text = readFileSync(markdown, 'utf8');
  t.match(text, 'Written by hand.', 'text before the section is kept');
  t.match(text, /## After\n$/, 'text after it is kept');
  t.notMatch(text, 'old figures', 'the section is replaced');
  for (const reference of ["postfix's smtp-sink", 'nginx stream']) t.match(text, reference);
  t.match(text, 'Concurrency 2', 'the load is stated');
  t.notOk(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(`rh-bench-${bench.pid} `), 'its namespace is gone');
});
