import type { Stage } from './context.js';
import { isolate } from '../stages/isolate.js';
import { restore } from '../stages/restore.js';
import { sanitize } from '../stages/sanitize.js';
import { prove } from '../stages/prove.js';
import { billRun } from '../stages/bill-run.js';
import { verify } from '../stages/verify.js';

/** The stages of a rehearsal in the order they run; report and destroy follow and always run. */
export const STAGE_NAMES = ['isolate', 'restore', 'sanitize', 'prove', 'bill-run', 'verify'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const STAGES: Readonly<Record<StageName, Stage>> = {
  isolate,
  restore,
  sanitize,
  prove,
  'bill-run': billRun,
  verify,
};
