import type { SizeResult, StageFigures } from './results.js';

/**
 * The issue's goals: ratios to the physical limit, sandbox up in absolute time, memory at any
 * size. Sanitize's ratio is its masking against a same-length rewrite of the same rows and columns
 * through a do-nothing JavaScript function (issue 18): a keyed hash per value is the part no
 * masking avoids, so that rewrite is the floor; the no-op and built-in rewrites are shown as notes.
 */
export const MASKING_TO_JS_CALL_GOAL = 1.5;
export const RATIO_GOALS: Readonly<Record<string, number>> = { restore: 1.5, 'restore again': 1.5, sanitize: MASKING_TO_JS_CALL_GOAL, verify: 3, 'state differential': 3 };
/** The baseline sanitize's ratio goal names (bench/stage-baselines.ts records it under this name). */
export const SANITIZE_GOAL_BASELINE = 'same-length rewrite through a do-nothing JavaScript function';
/**
 * Goals stated against one particular baseline: a figure measured against another (an older run's
 * no-op rewrite) is not judged by them, and says so.
 */
const GOAL_BASELINES: Readonly<Record<string, string>> = { sanitize: SANITIZE_GOAL_BASELINE };
/** How many times slower the stage's alternative must be (sanitize: row by row over a real round trip). */
export const ROW_BY_ROW_SPEEDUP_GOAL = 50;
export const SPEEDUP_GOALS: Readonly<Record<string, number>> = { sanitize: ROW_BY_ROW_SPEEDUP_GOAL };
export const SANDBOX_UP_GOAL_MS = 1000;
export const PEAK_MEMORY_GOAL_MB = 500;

/** The judged part of the stage (the whole stage unless it names one) over its baseline. */
export function ratioOf(stage: StageFigures): number | undefined {
  return stage.baseline !== undefined && stage.baseline.ms > 0 ? (stage.judged?.ms ?? stage.ms) / stage.baseline.ms : undefined;
}

/** How many times slower the alternative was than the stage's way, on the same rows. */
export function speedupOf(stage: StageFigures): number | undefined {
  return stage.alternative !== undefined && stage.alternative.setBasedMs > 0 ? stage.alternative.ms / stage.alternative.setBasedMs : undefined;
}

export function goalText(stage: StageFigures): string {
  const goals: string[] = [];
  const ratioGoal = RATIO_GOALS[stage.name];
  const goalBaseline = GOAL_BASELINES[stage.name];
  if (ratioGoal !== undefined && stage.baseline !== undefined && goalBaseline !== undefined && stage.baseline.name !== goalBaseline) {
    goals.push(`≤ ${ratioGoal}× a ${goalBaseline}, not this baseline: not judged`);
  } else if (ratioGoal !== undefined) goals.push(`≤ ${ratioGoal}×`);
  const speedupGoal = SPEEDUP_GOALS[stage.name];
  if (speedupGoal !== undefined) goals.push(`row by row ≥ ${speedupGoal}× slower`);
  if (stage.name === 'sandbox up') goals.push('< 1 s');
  return goals.join('; ');
}

export interface GoalMiss {
  readonly accounts: number;
  readonly stage: string;
  readonly what: string;
}

/** Every goal one stage misses, each said with its figure and the goal. */
export function stageMisses(stage: StageFigures): string[] {
  const misses: string[] = [];
  const ratio = ratioOf(stage);
  const ratioGoal = RATIO_GOALS[stage.name];
  const goalBaseline = GOAL_BASELINES[stage.name];
  if (ratio !== undefined && goalBaseline !== undefined && stage.baseline!.name !== goalBaseline) {
    misses.push(`not judged: measured against ${stage.baseline!.name}, while the goal is ≤ ${ratioGoal}× a ${goalBaseline}; run the bench again`);
  } else if (ratio !== undefined && ratioGoal !== undefined && ratio > ratioGoal) {
    misses.push(`${stage.judged !== undefined ? `${stage.judged.name} ` : ''}${ratio.toFixed(2)}× ${stage.baseline!.name}, goal ≤ ${ratioGoal}×`);
  }
  const speedup = speedupOf(stage);
  const speedupGoal = SPEEDUP_GOALS[stage.name];
  if (speedupGoal !== undefined && stage.baseline !== undefined && speedup === undefined) {
    misses.push(`not judged: row by row over a network round trip was not measured in this run, goal ≥ ${speedupGoal}× slower than set-based`);
  } else if (speedup !== undefined && speedupGoal !== undefined && speedup < speedupGoal) {
    misses.push(`${stage.alternative!.name} only ${speedup.toFixed(1)}× slower than set-based on the same rows, goal ≥ ${speedupGoal}×`);
  }
  if (stage.name === 'sandbox up' && stage.ms >= SANDBOX_UP_GOAL_MS) misses.push(`${(stage.ms / 1000).toFixed(2)} s, goal < 1 s`);
  if (stage.peakMb >= PEAK_MEMORY_GOAL_MB) misses.push(`peak ${stage.peakMb.toFixed(0)} MB in the rehearsal process, goal < ${PEAK_MEMORY_GOAL_MB} MB`);
  return misses;
}

export function goalMisses(size: SizeResult): GoalMiss[] {
  return size.stages.flatMap((stage) => stageMisses(stage).map((what) => ({ accounts: size.accounts, stage: stage.name, what })));
}

export type Growth = 'constant' | 'sublinear' | 'linear' | 'superlinear';

/**
 * How time grows with accounts between two sizes: the exponent k in t ∝ n^k. Small sizes carry
 * fixed costs (process start, sandbox), so only the largest step decides; a little noise is allowed.
 */
export function growthExponent(accountsA: number, msA: number, accountsB: number, msB: number): number {
  return Math.log(msB / msA) / Math.log(accountsB / accountsA);
}

export function judgeGrowth(exponent: number): Growth {
  if (exponent < 0.3) return 'constant';
  if (exponent < 0.85) return 'sublinear';
  if (exponent <= 1.15) return 'linear';
  return 'superlinear';
}
