// `npm run bench`: times every stage of a rehearsal at 10k, 100k and 1M accounts against its physical
// limit, the differentials against their scans on a synthetic bill run, and our sinkholes against reference
// servers (`--only rehearsal`, `--only differentials` or `--only sinkholes` for one part).
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import { runBench } from './harness.js';
import { DEFAULT_SINKHOLE_SETTINGS, latestSinkholeResults, runSinkholeBench } from './sinkholes/harness.js';
import { updateSinkholeMarkdown } from './sinkholes/markdown.js';
import { WORKLOADS, type Workload } from './sinkholes/load.js';
import { DIFFERENTIAL_PARTS, runDifferentialsBench, type DifferentialPart } from './differentials.js';
import { runSandboxCostBench } from './sandbox-cost/harness.js';
import { updateSandboxCostMarkdown } from './sandbox-cost/markdown.js';

function sizeList(value: string): number[] {
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 20)) throw new InvalidArgumentError('give account counts like 10000,100000 (whole numbers, at least 20).');
  return sizes;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('give a whole number.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of at least 1.');
  return n;
}

function secondsValue(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a number of seconds above 0, like 3 or 0.5.');
  return n;
}

function workloadList(value: string): Workload[] {
  const list = value.split(',').map((s) => s.trim());
  const unknown = list.filter((w) => !(WORKLOADS as readonly string[]).includes(w));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown workload ${unknown.join(', ')}; choose from ${WORKLOADS.join(', ')}.`);
  return list as Workload[];
}

const program = new Command('bench')
  .description('Generates samples (cached), rehearses each stage by stage on the local target, times the differentials on a synthetic bill run, measures the sinkholes against reference servers, and writes bench/results/ and BENCHMARKS.md.')
  .addOption(new Option('--only <part>', 'run one part: the stage-by-stage rehearsal, the differentials on a synthetic bill run (production diff, state and outbound differentials against their scans), the sinkhole comparison, or the sandbox\'s cost to a bill run (our sinkholes against accept-and-discard servers)').choices(['rehearsal', 'differentials', 'sinkholes', 'sandbox-cost']))
  .option('--sizes <list>', 'account counts, comma-separated', sizeList, [10_000, 100_000, 1_000_000])
  .option('--seed <n>', 'sample seed', wholeNumber, 1)
  .option('--json', 'print the results JSON on stdout (progress stays on stderr)', false)
  .option('--cache-dir <dir>', 'where samples are kept between runs', join(PROJECT_ROOT, 'bench/.cache'))
  .option('--results-dir <dir>', 'where the results JSON goes (the sinkholes in its sinkholes/ folder)', join(PROJECT_ROOT, 'bench/results'))
  .option('--markdown <file>', 'the Markdown file whose generated sections are rewritten', join(PROJECT_ROOT, 'BENCHMARKS.md'))
  .option('--parts <list>', `differentials: which of ${DIFFERENTIAL_PARTS.join(', ')} (comma-separated; separate processes may run them side by side)`, (v) => {
    const parts = v.split(',').map((p) => p.trim());
    const unknown = parts.filter((p) => !(DIFFERENTIAL_PARTS as readonly string[]).includes(p));
    if (unknown.length > 0) throw new InvalidArgumentError(`unknown part(s) ${unknown.join(', ')}; give some of ${DIFFERENTIAL_PARTS.join(', ')}.`);
    return parts as DifferentialPart[];
  })
  .option('--workloads <list>', `sinkholes: which workloads (${WORKLOADS.join(', ')})`, workloadList, [...WORKLOADS])
  .option('--concurrency <n>', 'sinkholes: connections the load client keeps busy', positiveNumber, DEFAULT_SINKHOLE_SETTINGS.concurrency)
  .option('--rounds <n>', 'sinkholes: measurements of each server per workload; sandbox-cost: bill runs with each kind of sinkhole; alternating which goes first', positiveNumber)
  .option('--seconds <s>', 'sinkholes: measured seconds per measurement', secondsValue, DEFAULT_SINKHOLE_SETTINGS.durationMs / 1000)
  .option('--warmup <s>', 'sinkholes: unmeasured seconds before each measurement', secondsValue, DEFAULT_SINKHOLE_SETTINGS.warmupMs / 1000)
  .parse();

const options = program.opts<{
  only?: 'rehearsal' | 'differentials' | 'sinkholes' | 'sandbox-cost';
  sizes: number[];
  seed: number;
  json: boolean;
  cacheDir: string;
  resultsDir: string;
  markdown: string;
  workloads: Workload[];
  concurrency: number;
  rounds?: number;
  seconds: number;
  warmup: number;
  parts?: DifferentialPart[];
}>();
const started = Date.now();
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
const say = (line: string): void => void process.stderr.write(`${line}\n`);
const printed: Record<string, unknown> = {};
let failed = false;

if (options.only === undefined || options.only === 'rehearsal') {
  const outcome = await runBench({
    sizes: options.sizes,
    seed: options.seed,
    cacheDir: resolve(options.cacheDir),
    resultsDir: resolve(options.resultsDir),
    markdownFile: resolve(options.markdown),
    command,
    say,
  });
  say(`Results: ${outcome.resultsFile}`);
  printed.rehearsal = outcome.results;
  failed ||= outcome.failed;
}
if (options.only === undefined || options.only === 'differentials') {
  const outcome = await runDifferentialsBench({
    sizes: options.sizes,
    cacheDir: resolve(options.cacheDir),
    resultsDir: resolve(options.resultsDir),
    parts: new Set(options.parts ?? DIFFERENTIAL_PARTS),
    startedAt: started,
    say,
  });
  say(`Results: ${outcome.resultsFile}`);
  printed.differentials = outcome.results;
}
if (options.only === undefined || options.only === 'sinkholes') {
  say('▶ sinkholes against reference servers');
  const sinkholeResults = join(resolve(options.resultsDir), 'sinkholes');
  try {
    const outcome = await runSinkholeBench({
      settings: { rounds: options.rounds ?? DEFAULT_SINKHOLE_SETTINGS.rounds, warmupMs: options.warmup * 1000, durationMs: options.seconds * 1000, concurrency: options.concurrency },
      workloads: options.workloads,
      resultsDir: sinkholeResults,
      command,
      say,
    });
    updateSinkholeMarkdown(resolve(options.markdown), latestSinkholeResults(sinkholeResults)!);
    say(`Results: ${outcome.resultsFile}`);
    printed.sinkholes = outcome.results;
    failed ||= !outcome.results.ledger.complete || outcome.results.workloads.some((w) => w.rounds.some((r) => r.ours.load.errors + r.reference.load.errors > 0));
  } catch (error) {
    say(`  ✘ the sinkhole bench failed: ${error instanceof Error ? error.message : String(error)}`);
    failed = true;
  }
}
if (options.only === 'sandbox-cost') {
  // Not in a plain `npm run bench`: it bills the sample twice per round, minutes at 100k accounts.
  const accounts = options.sizes.length === 1 ? options.sizes[0]! : 100_000;
  const { results, resultsFile } = await runSandboxCostBench({
    accounts,
    seed: options.seed,
    rounds: options.rounds ?? 1,
    cacheDir: resolve(options.cacheDir),
    resultsDir: join(resolve(options.resultsDir), 'sandbox-cost'),
    command,
    say,
  });
  updateSandboxCostMarkdown(resolve(options.markdown), results);
  say(`  ${results.met ? '✔' : '✘'} our sinkholes add ${(results.addedShare * 100).toFixed(0)} % to the bill run over accept-discard servers${results.error !== undefined ? ` (failed: ${results.error.split('\n')[0]})` : ''}`);
  say(`Results: ${resultsFile}`);
  printed['sandbox-cost'] = results;
  failed ||= results.error !== undefined;
}
say(`Markdown: ${options.markdown}\nWall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (options.json) process.stdout.write(`${JSON.stringify(options.only === undefined ? printed : printed[options.only], null, 2)}\n`);
if (failed) process.exitCode = 1;
