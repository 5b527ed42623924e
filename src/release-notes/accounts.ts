import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { featuresOf } from '../checks/account-picker.js';
import type { ReleaseNote } from './types.js';

export interface AccountSets {
  /** Per item with `expect`, the accounts it may change. */
  readonly sets: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per item, why its set could not be read (the concept is not in the platform's profile). */
  readonly unreadable: ReadonlyMap<string, string>;
}

/**
 * Reads, through the platform's profile and from `engine` (verify passes production's result), which accounts each release
 * note may change: the account picker's features once for every `trait`, each `concept` once per
 * item. Only the selected accounts are held.
 */
export async function readAccountSets(notes: readonly ReleaseNote[], engine: DatabaseEngine, profile: Profile, billDate: string): Promise<AccountSets> {
  const sets = new Map<string, Set<string>>();
  const unreadable = new Map<string, string>();
  const traits = new Map<string, Set<string>[]>();
  for (const note of notes) {
    const accounts = note.expect?.accounts;
    if (accounts === undefined) continue;
    const set = new Set<string>();
    sets.set(note.id, set);
    if (accounts.kind === 'list') for (const a of accounts.accounts) set.add(a);
    else if (accounts.kind === 'trait') traits.set(accounts.trait, [...(traits.get(accounts.trait) ?? []), set]);
    else if (!profile.has(accounts.concept)) unreadable.set(note.id, `the platform's profile has no \`${accounts.concept}\` query`);
    else {
      for await (const row of profile.stream(engine, accounts.concept, { billDate, billMonth: billDate.slice(0, 7) })) {
        const record = row as unknown as Record<string, unknown>;
        if (String(record[accounts.column]) === accounts.equals) set.add(String(record.account_number));
      }
    }
  }
  if (traits.size > 0) {
    if (!profile.has('accountFeatures')) {
      for (const note of notes) if (note.expect?.accounts.kind === 'trait') unreadable.set(note.id, "the platform's profile has no `accountFeatures` query, so traits cannot be read");
    } else {
      for await (const row of profile.stream(engine, 'accountFeatures', { billMonth: billDate.slice(0, 7) })) {
        for (const feature of featuresOf(row)) for (const set of traits.get(feature) ?? []) set.add(row.account_number);
      }
    }
  }
  return { sets, unreadable };
}
