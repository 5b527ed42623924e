import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_TS } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import type { BenchResults } from '../../bench/results.js';
import { BEGIN_MARKER, END_MARKER } from '../../bench/markdown.js';
import { SANITIZE_GOAL_BASELINE } from '../../bench/goals.js';

const STAGES = ['sandbox up', 'restore', 'restore again', 'sanitize', 'prove', 'bill run', 'verify', 'state differential', 'outbound differential', 'report', 'destroy'];
const WITH_BASELINE = ['sandbox up', 'restore', 'restore again', 'sanitize', 'verify', 'state differential', 'outbound differential', 'destroy'];

t.test('npm run bench on one tiny size writes the JSON and the Markdown tables with every stage and ratio', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-bench-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const markdown = join(dir, 'BENCHMARKS.md');
  writeFileSync(markdown, `# Benchmarks\n\nWhy restore is slow: written by hand.\n\n${BEGIN_MARKER}\nold figures\n${END_MARKER}\n\n## Causes\n`);
  const [node, ...loader] = NODE_TS;
  const bench = spawnSync(
    node,
    [...loader, join(PROJECT_ROOT, 'bench/run.ts'), '--only', 'rehearsal', '--sizes', '200', '--json', '--cache-dir', join(dir, 'cache'), '--results-dir', join(dir, 'results'), '--markdown', markdown],
    { encoding: 'utf8', timeout: 120_000 },
  );
  t.equal(bench.status, 0, bench.stderr);

  const printed = JSON.parse(bench.stdout) as BenchResults;
  const [file] = readdirSync(join(dir, 'results'));
  t.ok(file, 'a results file was written');
  const written = JSON.parse(readFileSync(join(dir, 'results', file!), 'utf8')) as BenchResults;
  t.same(written, printed, 'the file holds what --json printed');
  t.ok(written.machine.cpus > 0 && written.machine.memoryMb > 0, 'machine recorded');
  const size = written.sizes[0]!;
  t.equal(size.accounts, 200);
  t.equal(size.verdict, 'GO');
  t.same(size.stages.map((s) => s.name), STAGES);
  for (const stage of size.stages) {
    t.ok(stage.ms > 0, `${stage.name} timed`);
    t.ok(stage.peakMb > 10, `${stage.name} has a peak memory`);
    t.equal(stage.baseline !== undefined, WITH_BASELINE.includes(stage.name), `${stage.name} baseline`);
  }
  const sanitize = size.stages.find((s) => s.name === 'sanitize')!;
  t.equal(sanitize.baseline?.name, SANITIZE_GOAL_BASELINE, 'sanitize is judged against the do-nothing-function rewrite');
  t.ok(sanitize.judged !== undefined && sanitize.judged.ms > 0 && sanitize.judged.ms < sanitize.ms, "the ratio takes the stage's masking, a part of the stage");
  t.ok(sanitize.alternative !== undefined && sanitize.alternative.ms > 0 && sanitize.alternative.setBasedMs > 0, 'row by row over a round trip was measured');
  t.match(sanitize.alternative?.name, /^row by row over TCP \(round trip [\d.]+ ms/);
  t.match(size.stages.find((s) => s.name === 'restore')?.detail, /; integrity checked$/, 'the first restore of the snapshot checks it');
  t.match(size.stages.find((s) => s.name === 'restore again')?.detail, /file unchanged since/, 'restoring it again does not');
  t.ok(size.generate !== undefined && size.generate.ms > 0, 'generating the sample was timed');
  t.ok(size.stages.find((s) => s.name === 'bill run')!.childrenPeakMb! > 10, "the billing service's memory was sampled");
  t.ok(existsSync(join(dir, 'cache', 'sample-200-seed-1', 'snapshot.db')), 'the sample is cached');

  const text = readFileSync(markdown, 'utf8');
  t.match(text, 'Why restore is slow: written by hand.', 'text before the generated section is kept');
  t.match(text, /## Causes\n$/, 'text after it is kept');
  t.notMatch(text, 'old figures', 'the generated section is replaced');
  for (const stage of ['generate', ...STAGES]) t.match(text, new RegExp(`^\\| ${stage} \\| [\\d.]+ \\|`, 'm'), `${stage} row`);
  for (const stage of WITH_BASELINE) t.match(text, new RegExp(`^\\| ${stage} \\|.*\\| [\\d.]+× \\|`, 'm'), `${stage} ratio`);
  t.match(text, `${written.machine.cpus} × `, 'the machine is named');
  t.match(text, '--sizes 200', 'the command is named');
});
