import { loadValidatedYaml, type LocatedYaml, type YamlPath } from '../config/validated-yaml.js';
import type { ConfigError } from '../errors.js';
import { planSchema, type PlanFile } from '../plan/schema.js';
import type { Plan } from '../plan/types.js';

/** Points a problem at the place in the plan file that caused it. */
export type PlanLocator = (path: YamlPath, detail: string) => ConfigError;

export interface PlanLocations {
  readonly errorAt: PlanLocator;
  /** Whether the plan writes a value at `path` (or leaves it to a default, which has no line). */
  written(path: YamlPath): boolean;
}

/**
 * The loaded plan keeps values, not positions; the file is parsed again only when a problem needs
 * a location, which is rare and cheap next to what the run would otherwise create.
 */
export function planLocations(plan: Plan): PlanLocations {
  let located: LocatedYaml<PlanFile> | undefined;
  const load = (): LocatedYaml<PlanFile> => (located ??= loadValidatedYaml<PlanFile>(plan.file, planSchema, 'plan'));
  return {
    errorAt: (path, detail) => load().errorAt(path, detail),
    written(path) {
      let node: unknown = load().value;
      for (const key of path) {
        if (node === null || typeof node !== 'object') return false;
        node = (node as Record<string | number, unknown>)[key];
      }
      return node !== undefined;
    },
  };
}
