import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { loadPlan } from '../plan/load.js';
import { loadRuleSet } from '../sanitize/rules.js';
import { runRehearsal } from '../pipeline/run-rehearsal.js';
import { openRunFolder } from '../run/run-folder.js';
import { destroyRun } from '../stages/destroy.js';
import { createProgress } from '../ui/progress.js';
import { ensureSample } from '../samples/ensure-sample.js';
import { ExitCode, UserError } from '../errors.js';

interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
}

const EXIT_CODES = `
Exit codes:
  0  GO: every stage and automated check passed
  1  NO-GO: a check failed, or a safety rule stopped the run
  2  bad input or configuration (plan, rules, missing files, no permission to isolate)`;

function print(options: OutputOptions, human: string, machine: unknown): void {
  process.stdout.write(options.json ? `${JSON.stringify(machine, null, 2)}\n` : `${human}\n`);
}

/** Parses arguments and runs a command; returns the exit code. Expected failures never show a stack. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.go;
  const program = new Command()
    .name('rehearse')
    .description('Rehearse a billing platform upgrade in an isolated, sanitized copy of production.')
    .addOption(new Option('--json', 'print machine-readable JSON on stdout'))
    .addOption(new Option('--verbose', 'print details of each stage'))
    .addHelpText('after', EXIT_CODES)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('check')
    .description('Validate a plan and its sanitize rule set without touching anything')
    .argument('<plan>', 'plan file (YAML)')
    .addHelpText('after', '\nExample:\n  rehearse check plans/example-local.yaml')
    .action((planFile: string) => {
      const options = program.opts<OutputOptions>();
      const plan = loadPlan(planFile);
      loadRuleSet(plan.sanitize.rules);
      print(options, `${plan.file}: valid (release candidate ${plan.releaseCandidate.id}, target ${plan.target})`, { valid: true, plan });
    });

  program
    .command('all')
    .description('Run a whole rehearsal: isolate, restore, sanitize, bill run, verify, report, destroy')
    .argument('<plan>', 'plan file (YAML)')
    .addHelpText('after', '\nExample:\n  rehearse all plans/example-local.yaml\n  rehearse --json all plans/example-local.yaml > outcome.json')
    .action(async (planFile: string) => {
      const options = program.opts<OutputOptions>();
      const plan = loadPlan(planFile);
      if (plan.target !== 'local') {
        throw new UserError(`${plan.file}: target \`${plan.target}\` is built with Pulumi (see README, AWS target); \`rehearse all\` runs local plans.`);
      }
      const progress = createProgress({ verbose: options.verbose === true, json: options.json === true });
      const sampleStarted = performance.now();
      const sampled = await ensureSample(plan, progress);
      if (sampled !== undefined) progress.stageDone('sample', 'passed', performance.now() - sampleStarted, sampled);
      const outcome = await runRehearsal(plan, progress);
      const { report } = outcome;
      print(
        options,
        `\nReport: ${outcome.reportPath}\nVerdict: ${report.verdict} (${report.verdictReason})`,
        { verdict: report.verdict, reason: report.verdictReason, runId: report.runId, report: outcome.reportPath, exitCode: outcome.exitCode },
      );
      if (outcome.unexpected) process.stderr.write(`\nUnexpected failure (a bug, please report it):\n${outcome.unexpected.stack ?? outcome.unexpected.message}\n`);
      exitCode = outcome.exitCode;
    });

  program
    .command('down')
    .description('Destroy what a run left: billing service, network namespace, database copy (reports are kept)')
    .argument('[run]', 'run id, run folder, or "latest"', 'latest')
    .option('--reports <dir>', 'folder that holds the runs', 'reports')
    .addHelpText('after', '\nExamples:\n  rehearse down\n  rehearse down 20261127-031500-ab12cd')
    .action(async (ref: string, commandOptions: { reports: string }) => {
      const options = program.opts<OutputOptions>();
      const run = openRunFolder(resolve(commandOptions.reports), ref);
      const removed = await destroyRun(run);
      print(options, removed.length > 0 ? `Removed ${removed.join(', ')} of run ${run.runId}.` : `Run ${run.runId}: nothing left to remove.`, { runId: run.runId, removed });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return ExitCode.go;
    if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.badInput;
    if (error instanceof UserError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
  return exitCode;
}
