import t from 'tap';
import { goalMisses, growthExponent, judgeGrowth, SANITIZE_GOAL_BASELINE, stageMisses } from '../../bench/goals.js';
import { renderBenchSection } from '../../bench/markdown.js';
import type { BenchResults, SizeResult, StageFigures } from '../../bench/results.js';

const stage = (name: string, ms: number, extra: Partial<StageFigures> = {}): StageFigures => ({ name, ms, startedAt: 0, finishedAt: ms, peakMb: 120, ...extra });

t.test('growth: ten times the accounts in ten times the time is linear, in a hundred times superlinear', async (t) => {
  t.equal(judgeGrowth(growthExponent(100_000, 10_000, 1_000_000, 100_000)), 'linear');
  t.equal(judgeGrowth(growthExponent(100_000, 10_000, 1_000_000, 1_000_000)), 'superlinear');
  t.equal(judgeGrowth(growthExponent(100_000, 10_000, 1_000_000, 30_000)), 'sublinear');
  t.equal(judgeGrowth(growthExponent(100_000, 300, 1_000_000, 310)), 'constant');
});

t.test('goal misses name the stage, the figure and the goal', async (t) => {
  const size: SizeResult = {
    accounts: 1_000_000,
    snapshotMb: 700,
    loadAverage: [0, 0],
    stages: [
      stage('sandbox up', 1200, { baseline: { name: 'ip netns add', ms: 10 } }),
      stage('restore', 1400, { baseline: { name: 'plain copy', ms: 1000 } }),
      stage('verify', 3000, { baseline: { name: 'scan', ms: 1000 }, peakMb: 640 }),
    ],
  };
  t.same(goalMisses(size).map((m) => `${m.stage}: ${m.what}`), [
    'sandbox up: 1.20 s, goal < 1 s',
    'verify: peak 640 MB in the rehearsal process, goal < 500 MB',
  ]);
});

/** A sanitize stage of 10 s whose masking took `maskingMs` against a 1 s do-nothing-function rewrite. */
const sanitizeStage = (maskingMs: number, rowByRowMs = 60_000, extra: Partial<StageFigures> = {}): StageFigures =>
  stage('sanitize', 10_000, {
    baseline: { name: SANITIZE_GOAL_BASELINE, ms: 1000 },
    judged: { name: 'masking', ms: maskingMs },
    alternative: { name: 'row by row over TCP', ms: rowByRowMs, setBasedMs: 1000 },
    ...extra,
  });

t.test('sanitize: masking at 1.4× the do-nothing-function rewrite meets the goal, at 1.6× misses it; the rest of the stage is not judged', async (t) => {
  t.same(stageMisses(sanitizeStage(1400)), [], '1.4× met, though the whole stage is 10× the baseline');
  t.same(stageMisses(sanitizeStage(1600)), [`masking 1.60× ${SANITIZE_GOAL_BASELINE}, goal ≤ 1.5×`]);
});

t.test('sanitize: row by row over a round trip must be at least 50× slower than set-based on the same rows', async (t) => {
  t.same(stageMisses(sanitizeStage(1000, 50_000)), [], '50× met');
  t.same(stageMisses(sanitizeStage(1000, 40_000)), ['row by row over TCP only 40.0× slower than set-based on the same rows, goal ≥ 50×']);
});

t.test('sanitize figures from before the restated goal are reported as not judged, never as met', async (t) => {
  const old = stage('sanitize', 1100, { baseline: { name: 'no-op rewrite of the same columns', ms: 1000 } });
  const misses = stageMisses(old);
  t.equal(misses.length, 2);
  t.match(misses[0], /^not judged: measured against no-op rewrite of the same columns, while the goal is ≤ 1\.5× a same-length rewrite through a do-nothing JavaScript function/);
  t.match(misses[1], /^not judged: row by row over a network round trip was not measured/);
});

t.test('the per-size table judges sanitize by its masking and lists the miss', async (t) => {
  const run: BenchResults = {
    schemaVersion: 1,
    command: 'npm run bench',
    startedAt: '2026-12-02T20:00:00.000Z',
    finishedAt: '2026-12-02T20:10:00.000Z',
    seed: 1,
    machine: { cpus: 2, cpuModel: 'test', memoryMb: 1024, kernel: '6', node: 'v20' },
    source: { commit: '0123456789abcdef', uncommitted: [] },
    sizes: [],
  };
  const row = (maskingMs: number): string | undefined => {
    const size: SizeResult = { accounts: 1000, snapshotMb: 1, loadAverage: [0, 0], stages: [sanitizeStage(maskingMs)] };
    return renderBenchSection([{ run, size }]).split('\n').find((line) => line.startsWith('| sanitize |'));
  };
  t.match(row(1400), /\| 1\.40× \| ≤ 1\.5×; row by row ≥ 50× slower \| yes \|/);
  t.match(row(1400), /ratio of masking, 1\.40 s/);
  t.match(row(1600), /\| 1\.60× \| ≤ 1\.5×; row by row ≥ 50× slower \| \*\*no\*\* \|/);
  const size: SizeResult = { accounts: 1000, snapshotMb: 1, loadAverage: [0, 0], stages: [sanitizeStage(1600)] };
  t.match(renderBenchSection([{ run, size }]), `- 1,000 accounts, sanitize: masking 1.60× ${SANITIZE_GOAL_BASELINE}, goal ≤ 1.5×`);
});
