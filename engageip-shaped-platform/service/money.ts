/**
 * Money as whole ten-thousandths (DECIMAL(19,4) without its point), so sums are exact; every
 * charge is rounded to the cent, exact halves away from zero.
 */
export const UNITS = 10_000;

export function toUnits(value: number | string): number {
  return Math.round(Number(value) * UNITS);
}

export function fromUnits(units: number): number {
  return units / UNITS;
}

/** Rounds ten-thousandths to whole cents (100 units), halves away from zero. */
export function roundToCent(units: number): number {
  const cents = Math.sign(units) * Math.round(Math.abs(units) / 100);
  return cents * 100;
}

/** 'dddd.dd' for a gateway: major units with two decimals. */
export function asMajor(units: number): string {
  return (units / UNITS).toFixed(2);
}
