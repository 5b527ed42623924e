/** Money is compared in integer cents; the plan speaks in currency units. */
export function toCents(units: number): number {
  return Math.round(units * 100);
}

export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** numerator / denominator rounded half away from zero, in integers (as a correct billing engine rounds). */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  const sign = Math.sign(numerator) * Math.sign(denominator) || 1;
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  return sign * Math.floor((2 * n + d) / (2 * d));
}

/** Adds whole months to an ISO date whose day is at most 28 (bill days are). */
export function addMonths(isoDate: string, months: number): string {
  const [y = 0, m = 1, d = 1] = isoDate.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * An amount as a message states it, in minor units: `1,234.56`, `1.234,56`, `1 234,56`, `55`
 * (whole major units), `-12.50`. The last `.` or `,` followed by one or two digits is the decimal
 * point; a grouping separator must be the same one throughout and group three digits. Anything else
 * (`12.345.6`, `1,23,456`, words) is not read as an amount: undefined.
 */
export function centsOfStatedAmount(text: string): number | undefined {
  const match = /^(-?)(\d{1,3}(?:([.,])\d{3}(?:\3\d{3})*)?|\d+)(?:([.,])(\d{1,2}))?$/.exec(text.replace(/[\s'\u00a0\u202f]/g, ''));
  if (match === null) return undefined;
  const [, sign, whole = '', grouping, decimal, fraction = ''] = match;
  if (grouping !== undefined && decimal === grouping) return undefined;
  const cents = Number(whole.replace(/[.,]/g, '')) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}
