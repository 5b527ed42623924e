import type { Mutant } from './catalogue.js';

/** What the report of one rehearsal says, reduced to what judges a mutant. */
export interface RehearsalVerdict {
  readonly verdict: string;
  readonly failedChecks: readonly string[];
  readonly failedStages: readonly string[];
}

export type MutantStatus = 'caught' | 'escaped' | 'wrong-reason';

export interface MutantOutcome {
  readonly mutant: Mutant;
  readonly status: MutantStatus;
  readonly verdict: string;
  /** Expected checks that did not fail. */
  readonly missed: readonly string[];
  readonly failedChecks: readonly string[];
  readonly failedStages: readonly string[];
  readonly seconds: number;
}

/**
 * A mutant is caught only when the verdict is NO-GO and every check expected to catch it failed:
 * NO-GO for another reason (a stage that crashed, an unrelated check) would hide that the right
 * check is blind to it.
 */
export function judgeMutant(mutant: Mutant, result: RehearsalVerdict, seconds: number): MutantOutcome {
  const missed = mutant.caughtBy.filter((id) => !result.failedChecks.includes(id));
  const status: MutantStatus = controlHolds(result) ? 'escaped' : result.verdict !== 'NO-GO' || missed.length > 0 || result.failedStages.length > 0 ? 'wrong-reason' : 'caught';
  return { mutant, status, verdict: result.verdict, missed, failedChecks: result.failedChecks, failedStages: result.failedStages, seconds };
}

/** The unchanged candidate must end GO, or every NO-GO in the table proves nothing. */
export function controlHolds(result: RehearsalVerdict): boolean {
  return result.verdict === 'GO' || result.verdict === 'GO-PENDING-SIGN-OFF';
}
