// `npm run mutants`: rehearses every regression of the candidate in the catalogue and fails when one escapes.
import { basename, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import { UserError } from '../src/errors.js';
import { loadMutantCatalogue, selectMutants } from './catalogue.js';
import { runMutants } from './run-mutants.js';
import { tally, textTable } from './table.js';
import { resultsSection, writeResultsSection } from './markdown.js';
import { sourceState } from '../bench/machine.js';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number above 0.');
  return n;
}

const SAMPLE_CATALOGUE = join(PROJECT_ROOT, 'mutants/sample-platform.yaml');

/** The sample's table is in docs/mutants.md; another catalogue's in docs/mutants-<catalogue>.md, so neither overwrites the other. */
function resultsFile(catalogue: string): string {
  return resolve(catalogue) === SAMPLE_CATALOGUE ? join(PROJECT_ROOT, 'docs/mutants.md') : join(PROJECT_ROOT, 'docs', `mutants-${basename(catalogue, '.yaml')}.md`);
}

const program = new Command('mutants')
  .description('Rehearses each regression switch of the candidate release and checks that the verdict is NO-GO through the expected checks.')
  .option('--catalogue <file>', 'the mutant catalogue (YAML): mutants/sample-platform.yaml or mutants/engageip-shaped-platform.yaml', SAMPLE_CATALOGUE)
  .option('--only <switches>', 'comma-separated switches to rehearse (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--accounts <n>', 'sample size', wholeNumber, 2000)
  .option('--seed <n>', 'sample seed', wholeNumber, 42)
  .option('--keep <dir>', 'keep the plans and reports in this folder')
  .option('--write', 'rewrite the generated section of docs/mutants.md (docs/mutants-<catalogue>.md for another catalogue)', false)
  .parse();

const options = program.opts<{ catalogue: string; only?: string[]; accounts: number; seed: number; keep?: string; write: boolean }>();
try {
  const catalogue = loadMutantCatalogue(options.catalogue);
  const mutants = selectMutants(catalogue, options.only);
  // The code rehearsed is the working tree when the run starts, which may differ from its commit.
  const source = sourceState(PROJECT_ROOT);
  const run = await runMutants({
    catalogue,
    mutants,
    size: { accounts: options.accounts, seed: options.seed },
    samplesDir: join(PROJECT_ROOT, 'samples'),
    ...(options.keep !== undefined ? { keepDir: resolve(options.keep) } : {}),
    say: (line) => void process.stderr.write(`${line}\n`),
  });
  if (run.outcomes.length === 0) {
    process.stderr.write(`The unchanged candidate did not end GO (${run.control.verdict}: ${[...run.control.failedStages, ...run.control.failedChecks].join(', ')}), so no mutant can be judged. Fix that first: \`npm run demo\` shows why.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${textTable(run.outcomes)}\n\n${tally(run.outcomes)}\n`);
    if (options.write) {
      const command = ['npm run mutants', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
      const facts = { command, finishedAt: new Date().toISOString(), commit: source.commit.slice(0, 7), uncommitted: source.uncommitted, accounts: options.accounts, seed: options.seed, controlVerdict: run.control.verdict };
      writeResultsSection(resultsFile(options.catalogue), resultsSection(facts, run.outcomes));
    }
    if (run.outcomes.some((o) => o.status !== 'caught')) process.exitCode = 1;
  }
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
