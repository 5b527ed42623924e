import t from 'tap';
import { goalMisses, growthExponent, judgeGrowth } from '../../bench/goals.js';
import type { SizeResult, StageFigures } from '../../bench/results.js';

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
      stage('sanitize', 2100, { baseline: { name: 'no-op rewrite', ms: 1000 } }),
      stage('verify', 3000, { baseline: { name: 'scan', ms: 1000 }, peakMb: 640 }),
    ],
  };
  t.same(goalMisses(size).map((m) => `${m.stage}: ${m.what}`), [
    'sandbox up: 1.20 s, goal < 1 s',
    'sanitize: 2.10× no-op rewrite, goal ≤ 2×',
    'verify: peak 640 MB in the rehearsal process, goal < 500 MB',
  ]);
});
