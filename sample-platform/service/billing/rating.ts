import { divideRounded } from '../../shared/money.js';
import type { RoundingMode } from '../../shared/money.js';

/** The money rules of the bill run, free of the database so they can be read and tested alone. */

export function discountCents(baseCents: number, percent: number, mode: RoundingMode): number {
  return divideRounded(baseCents * percent, 100, mode);
}

/** Overage minutes charged at a rate in mills (tenths of a cent) per minute. */
export function overageCents(overageMinutes: number, overageMills: number, mode: RoundingMode): number {
  return divideRounded(overageMinutes * overageMills, 10, mode);
}

export function taxCents(amountCents: number, taxRateBp: number, mode: RoundingMode): number {
  return divideRounded(amountCents * taxRateBp, 10000, mode);
}

/** Minutes over the allowance for a pool: the family's usage summed, then compared once. */
export function pooledOverage(memberMinutes: readonly number[], includedMinutes: number): number {
  const total = memberMinutes.reduce((sum, m) => sum + m, 0);
  return Math.max(0, total - includedMinutes);
}

/** The per-child defect: every member compared with the whole allowance on its own. */
export function perMemberOverage(memberMinutes: readonly number[], includedMinutes: number): number {
  return memberMinutes.reduce((sum, m) => sum + Math.max(0, m - includedMinutes), 0);
}
