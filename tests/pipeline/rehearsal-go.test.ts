import t from 'tap';
import { existsSync, readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { fromSource, makeSample, rehearse, readReport, sha256 } from '../helpers/sample-fixture.js';

const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

t.test('an identical candidate gives GO; the source snapshot is untouched; nothing is left behind', async (t) => {
  const snapshotHash = sha256(sample.snapshot);
  const productionHash = sha256(sample.productionResult);
  // From source with tsx, as users run it: the rest of the suite runs the programs bundled (tests/setup/prebuilt-entries.ts).
  const run = rehearse(['--json', 'all', sample.plan('go')], fromSource());
  const report = readReport(run.json?.report ?? '');
  t.equal(run.status, 0, JSON.stringify(report.stages));
  t.equal(run.json?.verdict, 'GO');
  t.equal(report.verdict, 'GO');
  t.same(report.stages.map((s) => s.name), ['isolate', 'restore', 'sanitize', 'prove', 'bill-run', 'verify', 'destroy']);
  t.ok(report.stages.every((s) => s.status === 'passed'));
  for (const id of ['isolation', 'sanitize-proof', 'bill-run-completed', 'production-diff', 'event-log', 'scenario.ACC-000001', 'scenario.ACC-000002', 'provisioning', 'no-egress-during-bill-run']) {
    t.ok(report.checks.some((c) => c.id === id), `check ${id} ran`);
  }
  t.notOk(report.checks.some((c) => c.status === 'failed'), 'no check failed');
  t.equal(report.checks.find((c) => c.id === 'state-differential')?.status, 'passed', 'every table compared with production, not skipped');
  t.match(report.checks.find((c) => c.id === 'no-egress-during-bill-run')?.summary, /^0 packets left/, 'the kernel counted no packet leaving');
  const full = JSON.parse(readFileSync(join(dirname(run.json?.report ?? ''), 'report.json'), 'utf8')) as {
    egress: { summary: { byKind: Record<string, number> } };
    isolation: { counts: { leak: number; sinkhole: number } };
  };
  for (const kind of ['mail', 'payment', 'provisioning']) t.ok((full.egress.summary.byKind[kind] ?? 0) > 0, `the ledger holds ${kind} attempts`);
  t.equal(full.isolation.counts.leak, 0);
  t.ok(full.isolation.counts.sinkhole > 0, 'the probe table is in the report');
  t.notMatch(readFileSync(join(dirname(run.json?.report ?? ''), 'sandbox', 'egress-ledger.jsonl'), 'utf8'), /"(card_number|token)"/, 'no card data beyond a last four');

  t.equal(sha256(sample.snapshot), snapshotHash, 'snapshot bytes identical after the run');
  t.equal(sha256(sample.productionResult), productionHash, 'production result bytes identical after the run');

  const runDir = dirname(run.json?.report ?? '');
  t.notOk(existsSync(join(runDir, 'work')), 'the database copy and sockets are gone');
  t.same(readdirSync(runDir).sort(), ['baseline.json', 'report.html', 'report.json', 'report.junit.xml', 'report.md', 'sandbox', 'source-identity.json', 'state.json']);
  t.same(readdirSync(join(runDir, 'sandbox')), ['egress-ledger.jsonl'], 'only the ledger is kept; TLS keys are gone');
  t.equal(readlinkSync(join(runDir, '..', 'latest')), run.json?.runId);
  const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as { namespace: string };
  const stray = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(runDir);
    } catch {
      return false;
    }
  });
  t.same(stray, [], 'no process of the run is still alive');
  t.match(state.namespace, /^rehearsal-/);
  t.notOk((await listNamespaces()).includes(state.namespace), 'the run\'s namespace is gone');

  const md = readFileSync(run.json?.report ?? '', 'utf8');
  t.match(md, /\*\*Verdict: GO\*\*/);

  const again = rehearse(['down', '--reports', join(runDir, '..'), run.json?.runId ?? '']);
  t.equal(again.status, 0, 'destroy can be run again');
  t.match(again.stdout, /nothing left to remove/);
});

t.test('a plain run prints progress, the report path and the verdict', async (t) => {
  const run = rehearse(['all', sample.plan('human')]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stderr, /▶ bill-run/);
  t.match(run.stdout, /Report: .*report\.md\nVerdict: GO/);
});
