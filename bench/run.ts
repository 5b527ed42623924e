// `npm run bench`: times every stage of a rehearsal at 10k, 100k and 1M accounts against its physical limit.
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import { runBench } from './harness.js';
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchmarkDifferentials, differentialsTable, DIFFERENTIAL_PARTS, type DifferentialPart } from './differentials.js';

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

const program = new Command('bench')
  .description('Generates samples (cached), rehearses each stage by stage on the local target and writes bench/results/*.json and BENCHMARKS.md.')
  .option('--sizes <list>', 'account counts, comma-separated', sizeList, [10_000, 100_000, 1_000_000])
  .option('--seed <n>', 'sample seed', wholeNumber, 1)
  .option('--json', 'print the results JSON on stdout (progress stays on stderr)', false)
  .option('--cache-dir <dir>', 'where samples are kept between runs', join(PROJECT_ROOT, 'bench/.cache'))
  .option('--results-dir <dir>', 'where the results JSON goes', join(PROJECT_ROOT, 'bench/results'))
  .option('--only <part>', '`differentials`: only the production diff, state and outbound differentials on a synthetic bill run (no rehearsal), against their scans', (v) => {
    if (v !== 'differentials') throw new InvalidArgumentError('the one part that runs alone is `differentials`.');
    return v;
  })
  .option('--parts <list>', `with --only differentials: which of ${DIFFERENTIAL_PARTS.join(', ')} (comma-separated; separate processes may run them side by side)`, (v) => {
    const parts = v.split(',').map((p) => p.trim());
    const unknown = parts.filter((p) => !(DIFFERENTIAL_PARTS as readonly string[]).includes(p));
    if (unknown.length > 0) throw new InvalidArgumentError(`unknown part(s) ${unknown.join(', ')}; give some of ${DIFFERENTIAL_PARTS.join(', ')}.`);
    return parts as DifferentialPart[];
  })
  .option('--markdown <file>', 'the Markdown file whose generated section is rewritten', join(PROJECT_ROOT, 'BENCHMARKS.md'))
  .parse();

const options = program.opts<{ sizes: number[]; seed: number; json: boolean; cacheDir: string; resultsDir: string; markdown: string; only?: 'differentials'; parts?: DifferentialPart[] }>();
const started = Date.now();
const say = (line: string): void => void process.stderr.write(`${line}\n`);
if (options.only === 'differentials') {
  const results = [];
  for (const accounts of options.sizes) {
    say(`▶ ${accounts.toLocaleString('en-US')} accounts: differentials`);
    const figures = await benchmarkDifferentials(resolve(options.cacheDir), accounts, say, new Set(options.parts ?? DIFFERENTIAL_PARTS));
    results.push({ accounts, figures });
    say(differentialsTable(figures));
  }
  mkdirSync(resolve(options.resultsDir), { recursive: true });
  const file = join(resolve(options.resultsDir), `differentials-${process.pid}-${new Date(started).toISOString().replaceAll(':', '-').replace('.', '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: new Date(started).toISOString(), loadAverage: loadavg(), results }, null, 2)}\n`);
  say(`Results: ${file}`);
  process.exit(0);
}
const outcome = await runBench({
  sizes: options.sizes,
  seed: options.seed,
  cacheDir: resolve(options.cacheDir),
  resultsDir: resolve(options.resultsDir),
  markdownFile: resolve(options.markdown),
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  say,
});
process.stderr.write(`Results: ${outcome.resultsFile}\nMarkdown: ${options.markdown}\nWall time: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
if (options.json) process.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
if (outcome.failed) process.exitCode = 1;
