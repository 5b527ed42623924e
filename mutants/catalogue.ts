import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadValidatedYaml } from '../src/config/validated-yaml.js';

export type MutantArea = 'billing' | 'state' | 'mail' | 'payments' | 'provisioning' | 'event-log' | 'permissions' | 'checklist';

/** One regression of the candidate release, and the checks that must fail because of it. */
export interface Mutant {
  readonly switch: string;
  readonly area: MutantArea;
  readonly regression: string;
  readonly caughtBy: readonly string[];
  /** Rehearsed with a control run: what only the comparison with production's release in the same sandbox sees. */
  readonly control?: boolean;
}

export interface MutantCatalogue {
  readonly file: string;
  /** Absolute path of the plan every mutant rehearses. */
  readonly plan: string;
  readonly mutants: readonly Mutant[];
}

const schema = JSON.parse(readFileSync(new URL('./catalogue.schema.json', import.meta.url), 'utf8')) as object;

/** Loads a catalogue, refusing a switch listed twice (its row would hide the other's outcome). */
export function loadMutantCatalogue(file: string): MutantCatalogue {
  const doc = loadValidatedYaml<{ plan: string; mutants: Mutant[] }>(resolve(file), schema, 'mutant catalogue');
  const seen = new Set<string>();
  doc.value.mutants.forEach((mutant, index) => {
    if (seen.has(mutant.switch)) throw doc.errorAt(['mutants', index, 'switch'], `switch ${mutant.switch} is listed twice; give it one entry with every check that must catch it`);
    seen.add(mutant.switch);
  });
  return { file: doc.file, plan: resolve(dirname(doc.file), doc.value.plan), mutants: doc.value.mutants };
}

/** The mutants a `--only` list keeps, in catalogue order; an unknown name is an input error. */
export function selectMutants(catalogue: MutantCatalogue, only: readonly string[] | undefined): readonly Mutant[] {
  if (only === undefined || only.length === 0) return catalogue.mutants;
  const known = new Set(catalogue.mutants.map((m) => m.switch));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`--only names switches ${catalogue.file} does not list: ${unknown.join(', ')}`);
  return catalogue.mutants.filter((m) => only.includes(m.switch));
}
