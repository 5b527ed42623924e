import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPlan } from '../plan/load.js';
import { describeCatalogue, describeSnapshot, sqliteFiles } from '../plan/sources.js';
import { selectFromCatalogue } from '../snapshots/resolve.js';
import { candidateLines } from '../snapshots/select.js';
import { preflight } from '../preflight/preflight.js';
import { runRehearsal } from '../pipeline/run-rehearsal.js';
import { currentRun, down, reportCommand, runSingleStage, up, type SingleStage } from '../pipeline/stage-commands.js';
import { openRunFolder } from '../run/run-folder.js';
import { createProgress, type Progress, type SummaryRow } from '../ui/progress.js';
import { ensureSample } from '../samples/ensure-sample.js';
import { checkAdapter } from '../platform/adapter-check.js';
import { describeQuadraticPlan } from '../platform/query-plans.js';
import { ExitCode, fileSystemError, UserError } from '../errors.js';

interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
}

const EXIT_CODES = `
Exit codes:
  0    GO, or the command did what it was asked
  1    NO-GO: a check failed, a stage failed, or a safety rule stopped the run
  2    bad input or configuration (plan, rules, missing files, no permission to isolate)
  130  interrupted (SIGINT); 143 terminated (SIGTERM): the sandbox was removed first`;

const RUN_OPTION = ['--run <id>', 'work on this run (id or folder) instead of the newest unfinished run of the plan'] as const;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;
}

function print(options: OutputOptions, human: string, machine: unknown): void {
  process.stdout.write(options.json ? `${JSON.stringify(machine, null, 2)}\n` : `${human}\n`);
}

/** A stage's failure that is not a UserError: a refused path is still the user's to fix, anything else is a bug. */
function reportUnexpected(error: Error): void {
  const userError = fileSystemError(error);
  process.stderr.write(userError !== undefined ? `\n${userError.message}\n` : `\nUnexpected failure (a bug, please report it):\n${error.stack ?? error.message}\n`);
}

/** Parses arguments and runs a command; returns the exit code. Expected failures never show a stack. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.go;
  const program = new Command()
    .name('rehearse')
    .description('Rehearse a billing platform upgrade in an isolated, sanitized copy of production.')
    .addOption(new Option('--json', 'print only machine-readable JSON on stdout'))
    .addOption(new Option('--verbose', 'print details of each stage (rules, rates, tools run)'))
    .addHelpText(
      'after',
      `${examples('rehearse check plans/example-local.yaml', 'rehearse all plans/example-local.yaml', 'rehearse up plans/example-local.yaml && rehearse restore plans/example-local.yaml')}\n${EXIT_CODES}`,
    )
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const output = (): OutputOptions => program.opts<OutputOptions>();
  const progress = (): Progress => createProgress({ verbose: output().verbose === true, json: output().json === true });
  const command = (name: string, description: string): Command =>
    program.command(name).description(description).configureHelp({ showGlobalOptions: true }).exitOverride();

  command('check', 'Validate a plan, its rule set and its sources (read only) without creating anything')
    .argument('<plan>', 'plan file (YAML)')
    .addHelpText('after', examples('rehearse check plans/example-local.yaml', 'rehearse --json check plans/example-local.yaml'))
    .action(async (planFile: string) => {
      const { plan, checked, notes } = await preflight(loadPlan(planFile), { askSqlServer: 'when-configured' });
      const human = [
        `${plan.file}: valid (release candidate ${plan.releaseCandidate.id}, target ${plan.target})`,
        ...checked.map((c) => `  checked: ${c}`),
        ...notes.map((n) => `  later: ${n}`),
      ];
      const { adapter, ...platform } = plan.platform;
      print(output(), human.join('\n'), { valid: true, plan: { ...plan, platform: { ...platform, adapter: adapter.file, name: adapter.name, status: adapter.status } }, checked, notes });
    });

  command('snapshots', "List the backups of the plan's snapshot catalogue, when each was taken, and the one a run would restore (read only)")
    .argument('<plan>', 'plan file (YAML) with `snapshot.catalogue`')
    .addHelpText(
      'after',
      `${examples('rehearse snapshots plans/rc-7-5-0.yaml', 'rehearse --json snapshots plans/rc-7-5-0.yaml')}

A run restores the newest backup taken before production's bill run started, and refuses (exit 2)
when a backup's time cannot be read, none was taken before the bill run, or the newest one is
older than snapshot.maxAgeHours.`,
    )
    .action(async (planFile: string) => {
      const plan = loadPlan(planFile);
      if (plan.snapshot.kind !== 'catalogue') throw new UserError(`${plan.file} names one snapshot (${describeSnapshot(plan)}), not a catalogue, so there is nothing to pick from; \`snapshot.catalogue\` names one.`);
      const catalogue = describeCatalogue(plan.snapshot.catalogue.source);
      const selection = await selectFromCatalogue(plan, plan.snapshot.catalogue);
      const human = [
        `Snapshot catalogue ${catalogue}: ${selection.candidates.length} backup${selection.candidates.length === 1 ? '' : 's'}; production's bill run started ${selection.billRunStartedAt} (${selection.billRunStartedFrom})`,
        ...candidateLines(selection),
        selection.picked !== undefined ? `Picked: ${selection.reason ?? selection.picked.id}.` : `Refused: ${selection.refusal ?? 'no backup qualifies'}.`,
        ...(selection.warning !== undefined ? [`Warning: ${selection.warning}.`] : []),
      ];
      print(output(), human.join('\n'), { catalogue, ...selection });
      if (selection.picked === undefined) exitCode = ExitCode.badInput;
    });

  command('adapter', "Validate a platform adapter (platforms/<name>/adapter.yaml); with --against, compile every profile query against the plan's source")
    .argument('<action>', 'check')
    .argument('<dir>', 'adapter folder (or its adapter.yaml)')
    .option('--against <plan>', "compile every query against this plan's snapshot (SQLite, read only) or production's result (SQL Server, only read)")
    .addHelpText('after', examples('rehearse adapter check platforms/my-platform', 'rehearse adapter check platforms/my-platform --against plans/my-platform.yaml'))
    .action(async (action: string, dir: string, opts: { against?: string }) => {
      if (action !== 'check') throw new UserError(`Unknown adapter action \`${action}\`; the one action is \`check\`: rehearse adapter check <dir> [--against <plan>].`);
      const result = await checkAdapter(dir, opts.against);
      const human = [
        `${result.adapter}: valid (${result.name}, ${result.status}, driver ${result.driver})`,
        `  concepts: ${result.concepts.length} defined${result.notConfigured.length > 0 ? `; not configured (their checks say so): ${result.notConfigured.join(', ')}` : ''}`,
        ...(result.compiledAgainst !== undefined ? [`  ${result.compiledAgainst.queries} queries compile against ${result.compiledAgainst.database}`] : []),
        ...(result.quadraticPlans !== undefined && result.quadraticPlans.length === 0 ? ['  no query plan reads a whole table once per row of another (SQLite planner)'] : []),
        ...(result.quadraticPlans ?? []).map((found) => `warning: ${describeQuadraticPlan(found)}`),
      ];
      print(output(), human.join('\n'), result);
    });

  command('sample', "Generate a stand-in platform's snapshot and production result named by the plan's `sample:` block, with its adapter's generator (kept and reused)")
    .argument('<plan>', 'plan file (YAML) with a `sample:` block')
    .addHelpText('after', examples('rehearse sample plans/example-local.yaml'))
    .action(async (planFile: string) => {
      const plan = loadPlan(planFile);
      if (plan.sample === undefined) throw new UserError(`${plan.file} has no \`sample:\` block, so there is nothing to generate; its snapshot is ${describeSnapshot(plan)}.`);
      const p = progress();
      p.stage('sample');
      const started = performance.now();
      const made = await ensureSample(plan, p);
      p.stageDone('sample', 'passed', performance.now() - started, made);
      const files = sqliteFiles(plan);
      print(output(), `Snapshot: ${files.snapshot}\nProduction result: ${files.productionResult}`, files);
    });

  command('up', 'Start a run: make its sandbox (namespace, default-deny egress, sinkholes), held by a keeper process until `down`')
    .argument('<plan>', 'plan file (YAML)')
    .option('--fresh', 'remove the unfinished run of this plan and start a new one')
    .option(...RUN_OPTION)
    .option('--foreground', 'hold the sandbox in this process until SIGTERM (for systemd and other service managers)')
    .addHelpText('after', examples('rehearse up plans/example-local.yaml', 'rehearse up --fresh plans/example-local.yaml', 'rehearse up --foreground plans/example-local.yaml   # as a systemd service'))
    .action(async (planFile: string, opts: { fresh?: boolean; run?: string; foreground?: boolean }) => {
      const plan = loadPlan(planFile);
      const result = await up(plan, { ...(opts.fresh ? { fresh: true } : {}), ...(opts.run !== undefined ? { runId: opts.run } : {}), ...(opts.foreground ? { foreground: true } : {}) }, progress());
      print(
        output(),
        result.reused ? `Run ${result.run.runId}: sandbox ${result.keeper.namespace} is already up (keeper pid ${result.keeper.pid}).` : `Run ${result.run.runId}: sandbox ${result.keeper.namespace} is up (keeper pid ${result.keeper.pid}). Next: rehearse restore ${plan.file}`,
        { runId: result.run.runId, runDir: result.run.dir, namespace: result.keeper.namespace, keeperPid: result.keeper.pid, alreadyUp: result.reused },
      );
    });

  const single: readonly [SingleStage, string, string][] = [
    ['restore', 'Copy the snapshot into a fresh database of the run and mark it with the run id (the source is only read)', 'rehearse restore plans/example-local.yaml'],
    ['sanitize', "Mask the run's copy with the rule set, then prove no personal data is left", 'rehearse sanitize plans/example-local.yaml'],
    ['prove', "Sinkhole the hosts in the sanitized settings and probe from inside the run's sandbox; any leak stops the run", 'rehearse prove plans/example-local.yaml'],
    ['bill-run', "Run the release's bill run in the sandbox (only after prove and the sanitize proof passed in this run), then stop the service", 'rehearse bill-run plans/example-local.yaml'],
    ['verify', 'Run the checks on the billed copy, production\'s result and the egress ledger', 'rehearse verify plans/example-local.yaml'],
  ];
  for (const [name, description, example] of single) {
    command(name, description)
      .argument('<plan>', 'plan file (YAML)')
      .option(...RUN_OPTION)
      .addHelpText('after', examples(example, `rehearse --json ${name} --run 20261127-031500-ab12cd plans/example-local.yaml`))
      .action(async (planFile: string, opts: { run?: string }) => {
        const plan = loadPlan(planFile);
        const { run, result } = await runSingleStage(plan, name, opts.run !== undefined ? { runId: opts.run } : {}, progress());
        const { record } = result;
        print(output(), `Run ${run.runId}: ${name} ${record.status}${record.detail ? ` (${record.detail})` : ''}`, { runId: run.runId, stage: name, ...record, exitCode: result.exitCode });
        if (result.unexpected) reportUnexpected(result.unexpected);
        exitCode = result.exitCode;
      });
  }

  command('report', "Write the run's report (report.json, report.md and the other renderings) from what its stages recorded")
    .argument('<plan>', 'plan file (YAML)')
    .option(...RUN_OPTION)
    .addHelpText('after', examples('rehearse report plans/example-local.yaml'))
    .action(async (planFile: string, opts: { run?: string }) => {
      const plan = loadPlan(planFile);
      const result = await reportCommand(plan, opts.run !== undefined ? { runId: opts.run } : {});
      print(output(), `Report: ${result.reportPath}\nVerdict: ${result.verdict} (${result.reason})`, { runId: result.run.runId, verdict: result.verdict, reason: result.reason, report: result.reportPath });
      exitCode = result.verdict === 'NO-GO' ? ExitCode.noGo : ExitCode.go;
    });

  command('down', 'Destroy what a run left: sandbox keeper, billing service, network namespace, database copy (reports are kept); safe twice')
    .argument('[run]', 'run id, run folder, "latest", or a plan file (its unfinished run)', 'latest')
    .option('--reports <dir>', 'folder that holds the runs', 'reports')
    .option('--plan <plan>', "take the reports folder and the newest run from this plan")
    .addHelpText('after', examples('rehearse down', 'rehearse down 20261127-031500-ab12cd', 'rehearse down plans/example-local.yaml'))
    .action(async (ref: string, opts: { reports: string; plan?: string }) => {
      let run;
      const planFile = opts.plan ?? (/\.ya?ml$/.test(ref) && existsSync(ref) ? ref : undefined);
      if (planFile !== undefined) {
        const plan = loadPlan(planFile);
        run = ref === 'latest' || planFile === ref ? currentRun(plan, undefined, { finished: true }) : openRunFolder(plan.report.dir, ref);
        if (run === undefined) {
          print(output(), `${plan.file}: no run left to remove.`, { runId: null, removed: [] });
          return;
        }
      } else {
        run = openRunFolder(resolve(opts.reports), ref);
      }
      const removed = await down(run, (message) => process.stderr.write(`warning: ${message}\n`));
      print(output(), removed.length > 0 ? `Removed ${removed.join(', ')} of run ${run.runId}.` : `Run ${run.runId}: nothing left to remove.`, { runId: run.runId, removed });
    });

  command('all', 'Run a whole rehearsal: isolate, restore, sanitize, prove, bill run, verify, report, destroy; resumes an interrupted run of the plan')
    .argument('<plan>', 'plan file (YAML)')
    .option('--fresh', 'start a new run even if an earlier run of this plan can be resumed (that one is removed)')
    .option(...RUN_OPTION)
    .addHelpText(
      'after',
      `${examples('rehearse all plans/example-local.yaml', 'rehearse all --fresh plans/example-local.yaml', 'rehearse --json all plans/example-local.yaml > outcome.json')}

Resume: when the newest run of the plan failed or was killed, \`all\` continues it: stages whose
result is still intact (database copy with this run's marker and the recorded fingerprint) are
kept, the sandbox is made again and isolation proven again before any bill run, and a bill run
that was cut short means the copy is restored again from the snapshot.`,
    )
    .action(async (planFile: string, opts: { fresh?: boolean; run?: string }) => {
      const options = output();
      const plan = loadPlan(planFile);
      const p = progress();
      const rows: SummaryRow[] = [];
      const sampleStarted = performance.now();
      if (plan.sample !== undefined) p.stage('sample');
      const sampled = await ensureSample(plan, p);
      if (sampled !== undefined) {
        p.stageDone('sample', 'passed', performance.now() - sampleStarted, sampled);
        rows.push({ name: 'sample', status: 'passed', durationMs: performance.now() - sampleStarted, detail: sampled });
      }
      const outcome = await runRehearsal(plan, p, { ...(opts.fresh ? { fresh: true } : {}), ...(opts.run !== undefined ? { runId: opts.run } : {}) });
      const { report } = outcome;
      p.summary([...rows, ...outcome.summary]);
      const resumeHint = outcome.keptForResume
        ? `\nThe database copy is kept: \`rehearse all ${plan.file}\` resumes run ${report.runId}, \`--fresh\` starts over, \`rehearse down --plan ${plan.file}\` removes it.`
        : outcome.unsanitizedCopyDeleted
          ? `\nThe unsanitized copy was deleted: \`rehearse all ${plan.file}\` resumes run ${report.runId} and restores again, \`--fresh\` starts over.`
          : '';
      print(
        options,
        `\nReport: ${outcome.reportPath}\nVerdict: ${report.verdict} (${report.verdictReason})${resumeHint}`,
        {
          verdict: report.verdict,
          reason: report.verdictReason,
          runId: report.runId,
          report: outcome.reportPath,
          exitCode: outcome.exitCode,
          stages: outcome.summary,
          keptForResume: outcome.keptForResume,
          unsanitizedCopyDeleted: outcome.unsanitizedCopyDeleted,
          ...(outcome.resumed !== undefined ? { resumed: outcome.resumed } : {}),
        },
      );
      if (outcome.unexpected) reportUnexpected(outcome.unexpected);
      exitCode = outcome.exitCode;
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return ExitCode.go;
    if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.badInput;
    const userError = error instanceof UserError ? error : fileSystemError(error);
    if (userError !== undefined) {
      process.stderr.write(`${userError.message}\n`);
      return userError.exitCode;
    }
    throw error;
  }
  return exitCode;
}
