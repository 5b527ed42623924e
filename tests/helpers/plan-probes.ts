import { isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { PROJECT_ROOT } from './plan-fixture.js';

/**
 * The example plan's checklist probes, for plans written elsewhere from its text. Most whole
 * rehearsals in the suite test something else, so they leave the probe items out (`keep: false`)
 * and stay as fast as before; the probe tests keep them (all, or the items named), with their
 * files made absolute.
 */
export function adjustProbes(text: string, keep: boolean | readonly string[]): string {
  const doc = parseDocument(text);
  const checklist = doc.get('checklist');
  if (!isSeq(checklist)) return text;
  const kept = (item: unknown): boolean => {
    if (!(isMap(item) && item.has('probes'))) return true;
    return typeof keep === 'boolean' ? keep : keep.includes(String(item.get('id')));
  };
  checklist.items = checklist.items.filter(kept);
  if (keep !== false) {
    for (const item of checklist.items) {
      const probes = isMap(item) ? item.get('probes') : undefined;
      if (!isSeq(probes)) continue;
      for (const probe of probes.items) {
        for (const path of [['http', 'bodyFile'], ['command', 'file']]) {
          const node = isMap(probe) ? probe.getIn(path, true) : undefined;
          if (isScalar(node) && typeof node.value === 'string' && !isAbsolute(node.value)) node.value = join(PROJECT_ROOT, 'plans', node.value);
        }
      }
    }
  }
  return doc.toString();
}
