import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Mutant, MutantCatalogue } from './catalogue.js';
import { controlHolds, judgeMutant, type MutantOutcome, type RehearsalVerdict } from './outcome.js';
import { writeMutantPlan, type MutantPlanOptions, type SampleSize } from './mutant-plan.js';
import { ensureSample, rehearseVerdict } from './rehearse-once.js';

export interface MutantRunOptions {
  readonly catalogue: MutantCatalogue;
  readonly mutants: readonly Mutant[];
  readonly size: SampleSize;
  readonly samplesDir: string;
  /** Keep the work folder (plans and reports) instead of removing it at the end. */
  readonly keepDir?: string;
  readonly say: (line: string) => void;
}

export interface MutantRun {
  readonly control: RehearsalVerdict;
  readonly outcomes: readonly MutantOutcome[];
  readonly workDir: string;
}

/**
 * The control first (the unchanged candidate must end GO), then each mutant in catalogue order,
 * one rehearsal at a time: each needs the whole sandbox, and two cores.
 */
export async function runMutants(options: MutantRunOptions): Promise<MutantRun> {
  const workDir = options.keepDir ?? mkdtempSync(join(tmpdir(), 'rehearsal-mutants-'));
  mkdirSync(workDir, { recursive: true });
  const planFor = (faults: readonly string[], name: string, plan: MutantPlanOptions = {}): string => writeMutantPlan(options.catalogue.plan, workDir, options.samplesDir, options.size, faults, name, plan);
  const unchanged = async (name: string, plan: MutantPlanOptions, what: string): Promise<RehearsalVerdict> => {
    const started = performance.now();
    const verdict = await rehearseVerdict(planFor([], name, plan));
    options.say(`${what}: ${verdict.verdict}${verdict.failedChecks.length > 0 ? `, failed ${verdict.failedChecks.join(', ')}` : ''} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return verdict;
  };
  try {
    options.say(`sample: ${options.size.accounts.toLocaleString('en-US')} accounts, seed ${options.size.seed}`);
    await ensureSample(planFor([], 'control'));
    const control = await unchanged('control', {}, 'control (no switch)');
    if (!controlHolds(control)) return { control, outcomes: [], workDir };
    // A switch rehearsed with a control run is judged only if the unchanged candidate passes that way too.
    if (options.mutants.some((m) => m.control === true)) {
      const withControlRun = await unchanged('control-with-control-run', { controlRun: true }, 'control (no switch), with a control run of production\'s release');
      if (!controlHolds(withControlRun)) return { control: withControlRun, outcomes: [], workDir };
    }
    const outcomes: MutantOutcome[] = [];
    for (const [index, mutant] of options.mutants.entries()) {
      const started = performance.now();
      const plan = planFor([mutant.switch], mutant.switch, { probes: mutant.caughtBy.some((check) => check.startsWith('checklist.')), controlRun: mutant.control === true });
      const outcome = judgeMutant(mutant, await rehearseVerdict(plan), (performance.now() - started) / 1000);
      outcomes.push(outcome);
      const through = outcome.failedChecks.length > 0 ? ` via ${outcome.failedChecks.join(', ')}` : '';
      options.say(`[${index + 1}/${options.mutants.length}] ${mutant.switch}: ${outcome.status} (${outcome.verdict}${through}) in ${outcome.seconds.toFixed(0)} s`);
    }
    return { control, outcomes, workDir };
  } finally {
    if (options.keepDir === undefined) rmSync(workDir, { recursive: true, force: true });
  }
}
