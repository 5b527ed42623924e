/**
 * Integer money arithmetic. Amounts are cents; rates are fractions given as numerator/denominator
 * so no floating point ever touches a balance.
 */

/** 'half-up' rounds exact halves away from zero (the correct rule); 'half-down' towards zero. */
export type RoundingMode = 'half-up' | 'half-down';

/** round(numerator / denominator) for a positive denominator, with the given rule for halves. */
export function divideRounded(numerator: number, denominator: number, mode: RoundingMode): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`cannot divide ${numerator} by ${denominator} in integer money arithmetic`);
  }
  const sign = numerator < 0 ? -1 : 1;
  const magnitude = Math.abs(numerator);
  const quotient = Math.floor(magnitude / denominator);
  const twiceRemainder = 2 * (magnitude % denominator);
  let rounded = quotient;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && mode === 'half-up')) {
    rounded = quotient + 1;
  }
  return sign * rounded + 0;
}

/** '$1,234.56' style text for e-mails and messages. */
export function formatCents(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  const units = Math.floor(magnitude / 100).toLocaleString('en-US');
  const fraction = String(magnitude % 100).padStart(2, '0');
  return `${sign}${units}.${fraction} ${currency}`;
}
