import type { SizeResult, StageFigures } from './results.js';

/** The goals: ratios to the physical limit, sandbox up in absolute time, memory at any size. */
export const RATIO_GOALS: Readonly<Record<string, number>> = { restore: 1.5, 'restore again': 1.5, sanitize: 2, verify: 3, 'state differential': 3 };
export const SANDBOX_UP_GOAL_MS = 1000;
export const PEAK_MEMORY_GOAL_MB = 500;

export function ratioOf(stage: StageFigures): number | undefined {
  return stage.baseline !== undefined && stage.baseline.ms > 0 ? stage.ms / stage.baseline.ms : undefined;
}

export function goalText(stage: StageFigures): string {
  const ratioGoal = RATIO_GOALS[stage.name];
  if (ratioGoal !== undefined) return `≤ ${ratioGoal}×`;
  if (stage.name === 'sandbox up') return '< 1 s';
  return '';
}

export interface GoalMiss {
  readonly accounts: number;
  readonly stage: string;
  readonly what: string;
}

export function goalMisses(size: SizeResult): GoalMiss[] {
  const misses: GoalMiss[] = [];
  const miss = (stage: string, what: string): void => void misses.push({ accounts: size.accounts, stage, what });
  for (const stage of size.stages) {
    const ratio = ratioOf(stage);
    const ratioGoal = RATIO_GOALS[stage.name];
    if (ratio !== undefined && ratioGoal !== undefined && ratio > ratioGoal) {
      miss(stage.name, `${ratio.toFixed(2)}× ${stage.baseline!.name}, goal ≤ ${ratioGoal}×`);
    }
    if (stage.name === 'sandbox up' && stage.ms >= SANDBOX_UP_GOAL_MS) miss(stage.name, `${(stage.ms / 1000).toFixed(2)} s, goal < 1 s`);
    if (stage.peakMb >= PEAK_MEMORY_GOAL_MB) miss(stage.name, `peak ${stage.peakMb.toFixed(0)} MB in the rehearsal process, goal < ${PEAK_MEMORY_GOAL_MB} MB`);
  }
  return misses;
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
