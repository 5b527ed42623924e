import { parseJsonPath, valueAt } from './json-path.js';
import { maskValue } from './mask.js';
import { fill } from './templates.js';
import type { JsonExpectation } from './types.js';

/** One expectation's outcome, for the evidence table; `actual` is already masked. */
export interface ExpectationResult {
  readonly expected: string;
  readonly actual: string;
  readonly met: boolean;
}

/** Values compare as numbers when both read as numbers (`12.50` equals `12.5`), else as text. */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual === null || expected === null) return actual === expected;
  const a = typeof actual === 'number' || typeof actual === 'string' ? Number(actual) : Number.NaN;
  const e = typeof expected === 'number' || typeof expected === 'string' ? Number(expected) : Number.NaN;
  if (typeof actual !== 'boolean' && typeof expected !== 'boolean' && !Number.isNaN(a) && !Number.isNaN(e) && String(actual).trim() !== '' && String(expected).trim() !== '') return Math.abs(a - e) < 1e-9;
  return String(actual) === String(expected);
}

function shown(value: unknown): string {
  return JSON.stringify(maskValue(value)) ?? 'undefined';
}

export function checkJson(document: unknown, expectations: readonly JsonExpectation[], values: Readonly<Record<string, string>>): ExpectationResult[] {
  return expectations.map((e) => {
    const { found, value } = valueAt(document, parseJsonPath(e.path));
    if (e.exists !== undefined) return { expected: `${e.path} ${e.exists ? 'exists' : 'absent'}`, actual: found ? `present: ${shown(value)}` : 'absent', met: found === e.exists };
    if (!found) return { expected: `${e.path} present`, actual: 'absent', met: false };
    if (e.matches !== undefined) return { expected: `${e.path} matches /${e.matches}/`, actual: shown(value), met: typeof value === 'string' || typeof value === 'number' ? new RegExp(e.matches, 'u').test(String(value)) : false };
    if (e.equals !== undefined) {
      const expected = typeof e.equals === 'string' ? fill(e.equals, values) : e.equals;
      return { expected: `${e.path} = ${shown(expected)}`, actual: shown(value), met: sameValue(value, expected) };
    }
    return { expected: `${e.path} present`, actual: shown(value), met: true };
  });
}
