import t from 'tap';
import { addedCpuShareOf, addedShareOf, type SandboxCostResults } from '../../bench/sandbox-cost/harness.js';
import { renderSandboxCostSection, SANDBOX_COST_BEGIN_MARKER, SANDBOX_COST_END_MARKER } from '../../bench/sandbox-cost/markdown.js';
import type { BillRunFigures } from '../../bench/sandbox-cost/worker.js';

const served = { mail: 10, payment: 4, provisioning: 3 };
const run = (variant: BillRunFigures['variant'], round: number, billRunMs: number, sinkholeCpuMs = 1000, platformCpuMs = 9000): BillRunFigures => ({
  variant, round, billRunMs, stageMs: billRunMs + 500, accounts: 100, sinkholeCpuMs, platformCpuMs, served,
});

t.test('the share the sinkholes add is taken within each round, then the median', async (t) => {
  const runs = [run('ours', 1, 120_000), run('accept-discard', 1, 100_000), run('accept-discard', 2, 50_000), run('ours', 2, 55_000), run('ours', 3, 200_000), run('accept-discard', 3, 100_000)];
  // Per round: +20 %, +10 %, +100 %; across rounds the medians (120 s against 100 s) would say +20 % too, but round 3 alone would say +100 %.
  t.equal(addedShareOf(runs)!.toFixed(3), '0.200');
  t.equal(addedShareOf([run('ours', 1, 1000)]), undefined, 'a round without the other variant has no share');
});

t.test('the CPU share is our sinkholes\' extra CPU over the whole bill run\'s CPU with accept-discard servers', async (t) => {
  const runs = [run('ours', 1, 1, 3000, 9000), run('accept-discard', 1, 1, 1000, 9000)];
  t.equal(addedCpuShareOf(runs)!.toFixed(3), (2000 / 10_000).toFixed(3));
});

t.test('the Markdown section names the goal, both variants and what each served, between its markers', async (t) => {
  const results: SandboxCostResults = {
    schemaVersion: 1, command: 'npm run bench -- --only sandbox-cost', startedAt: '2026-12-02T00:00:00.000Z', finishedAt: '2026-12-02T00:10:00.000Z', accounts: 100, seed: 1,
    machine: { cpus: 2, cpuModel: 'cpu', memoryMb: 1, kernel: 'k', node: 'v20' }, source: { commit: 'abcdef1234567890', uncommitted: [] }, loadAverage: [1, 2],
    runs: [run('ours', 1, 130_000), run('accept-discard', 1, 100_000)], addedShare: 0.3, addedCpuShare: 0.05, met: false,
  };
  const section = renderSandboxCostSection(results);
  t.ok(section.startsWith(SANDBOX_COST_BEGIN_MARKER) && section.endsWith(SANDBOX_COST_END_MARKER));
  t.match(section, /add to the bill run: 30 %.*goal ≤ 20 %.*\*\*not met\*\*/);
  t.match(section, /\| our sinkhole process[^\n]*\| 130\.0 \| 130\.0 \| 1300000 \| 1\.0 \| 9\.0 \| 10 \| 4 \| 3 \|/);
  t.match(section, /\| accept and discard[^\n]*\| 100\.0 \|/);
  t.match(section, /5 % of the bill run's CPU/);
});
