import type { ChangeRule } from './types.js';

/** One value as compared, in the smallest unit the check holds (cents, minutes, the stored value). */
export type Compared = string | number | bigint | null | undefined;

function numeric(value: Compared): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

export function hasBounds(rule: ChangeRule): boolean {
  return rule.direction !== undefined || rule.maxAbsolute !== undefined || rule.maxRelative !== undefined || rule.sameAs !== undefined;
}

/**
 * Whether a change from production's value to the rehearsal's keeps to the rule; undefined when it
 * does, else why not. `unit` turns a bound written in the plan into the compared unit (100 for
 * currency units compared as cents). `sameAs` is the change of the value the rule ties this one to
 * (0 when that value did not differ). Missing money counts as 0, as production-diff counts it.
 */
export function breaksRule(rule: ChangeRule, rehearsal: Compared, production: Compared, options: { unit: number; nullIsZero: boolean; sameAs?: number }): string | undefined {
  if (!hasBounds(rule)) return undefined;
  const r = numeric(rehearsal) ?? (options.nullIsZero && (rehearsal === null || rehearsal === undefined) ? 0 : undefined);
  const p = numeric(production) ?? (options.nullIsZero && (production === null || production === undefined) ? 0 : undefined);
  if (r === undefined || p === undefined) return 'not a number, so no bound can hold';
  const change = r - p;
  if (rule.direction === 'increase' && !(change > 0)) return 'decreased, the note says it increases';
  if (rule.direction === 'decrease' && !(change < 0)) return 'increased, the note says it decreases';
  if (rule.maxAbsolute !== undefined && Math.abs(change) > rule.maxAbsolute * options.unit + 1e-9) return `changed by ${format(Math.abs(change) / options.unit)}, more than maxAbsolute ${rule.maxAbsolute}`;
  if (rule.maxRelative !== undefined && Math.abs(change) > rule.maxRelative * Math.abs(p) + 1e-9) {
    return p === 0 ? `changed from 0, so by more than maxRelative ${rule.maxRelative}` : `changed by ${format((Math.abs(change) / Math.abs(p)) * 100)}%, more than maxRelative ${rule.maxRelative}`;
  }
  if (rule.sameAs !== undefined && Math.abs(change - (options.sameAs ?? 0)) > 1e-9) {
    return `changed by ${format(change / options.unit)}, not by the change of ${rule.sameAs} (${format((options.sameAs ?? 0) / options.unit)})`;
  }
  return undefined;
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The change of a value as a number, for `sameAs`; undefined when it is not numeric. */
export function changeOf(rehearsal: Compared, production: Compared, nullIsZero: boolean): number | undefined {
  const r = numeric(rehearsal) ?? (nullIsZero ? 0 : undefined);
  const p = numeric(production) ?? (nullIsZero ? 0 : undefined);
  return r === undefined || p === undefined ? undefined : r - p;
}
