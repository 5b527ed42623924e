import type { CheckResult } from '../checks/types.js';
import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { Plan } from '../plan/types.js';
import { readAccountSets, type AccountSets } from './accounts.js';
import { ReleaseNoteLabeller } from './labeller.js';
import { annotateExplained, releaseNoteRecords, releaseNotesCheck, type ReleaseNoteRecord } from './outcome.js';

/** The release notes' part of verify: the labeller the checks ask, and what it explained once they ran. */
export interface ReleaseNotesPass {
  /** Undefined when no note expects a difference: the checks then run unlabelled. */
  readonly labeller: ReleaseNoteLabeller | undefined;
  /** The checks with what notes explained said in their summaries, plus the `release-notes` check; and the per-note records. */
  finish(checks: readonly CheckResult[]): { checks: CheckResult[]; records: readonly ReleaseNoteRecord[] | undefined };
}

/**
 * Which accounts each note may change is read from production's result: the candidate's bill run
 * cannot widen a note by changing the traits its accounts are selected by.
 */
export async function startReleaseNotes(plan: Plan, production: DatabaseEngine, profile: Profile): Promise<ReleaseNotesPass> {
  const expecting = plan.releaseNotes.some((n) => n.expect !== undefined);
  const sets: AccountSets = expecting ? await readAccountSets(plan.releaseNotes, production, profile, plan.billRun.date) : { sets: new Map(), unreadable: new Map() };
  const labeller = new ReleaseNoteLabeller(plan.releaseNotes, sets.sets);
  return {
    labeller: expecting ? labeller : undefined,
    finish(checks) {
      if (plan.releaseNotes.length === 0) return { checks: [...checks], records: undefined };
      const records = releaseNoteRecords(plan.releaseNotes, labeller, sets);
      const check = releaseNotesCheck(records);
      return { checks: [...annotateExplained(checks, records), ...(check !== undefined ? [check] : [])], records };
    },
  };
}
