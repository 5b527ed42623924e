import type { ConceptName } from '../platform/concepts.js';
import type { Profile } from '../platform/profile.js';
import type { CheckResult } from './types.js';

/**
 * The check's result when the platform's adapter lacks a concept it reads: shown as "not
 * configured for this platform" (skipped, never passed; a checklist item naming it fails).
 */
export function notConfigured(profile: Profile, base: { id: string; title: string }, concepts: readonly ConceptName[]): CheckResult | undefined {
  const missing = concepts.filter((c) => !profile.has(c));
  if (missing.length === 0) return undefined;
  return {
    ...base,
    status: 'skipped',
    summary: `not configured for this platform: the adapter ${profile.adapter.file} defines no ${missing.map((c) => `\`${c}\``).join(', ')} query, so this check cannot run`,
  };
}

/** Period in months as the report names it. */
export function periodName(months: number): string {
  if (months === 0) return 'once';
  if (months === 1) return 'monthly';
  if (months === 3) return 'quarterly';
  if (months === 12) return 'yearly';
  return `every ${months} months`;
}
