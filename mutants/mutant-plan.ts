import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';

export interface SampleSize {
  readonly accounts: number;
  readonly seed: number;
}

/** Plan fields that hold paths relative to the plan file; they must survive the move to a work folder. */
const PATH_FIELDS: readonly (readonly string[])[] = [['snapshot', 'path'], ['productionResult', 'path'], ['sanitize', 'rules']];

/**
 * Writes the template plan into `workDir` with one switch on. Everything else stays as the
 * template says, so a mutant differs from the control run only by the switch (and by a control run
 * of production's release, where the switch asks for one); except that
 * without `probes` the checklist items that carry probes are left out, as a switch no probe is
 * expected to catch does not need them (they are a third of a small rehearsal's time). The
 * sample lives in its own folder per size and seed, which the sample tool owns, so the demo's
 * sample is untouched.
 */
export interface MutantPlanOptions {
  /** Keep the checklist items that carry probes (default); a switch no probe must catch does without them. */
  readonly probes?: boolean;
  /** Turn on the control run (`verify.control: production-release`), for a switch only it can see. */
  readonly controlRun?: boolean;
}

export function writeMutantPlan(template: string, workDir: string, samplesDir: string, size: SampleSize, faults: readonly string[], name: string, options: MutantPlanOptions = {}): string {
  const probes = options.probes ?? true;
  const doc = parseDocument(readFileSync(template, 'utf8'));
  const base = dirname(template);
  const checklist = doc.get('checklist');
  if (!probes && isSeq(checklist)) checklist.items = checklist.items.filter((item) => !(isMap(item) && item.has('probes')));
  for (const path of PATH_FIELDS) {
    const value = doc.getIn(path);
    if (typeof value === 'string' && !isAbsolute(value)) doc.setIn(path, resolve(base, value));
  }
  // The checklist probes' files too: the mutant's plan lives elsewhere.
  const items = doc.getIn(['checklist']);
  const count = isSeq(items) ? items.items.length : 0;
  for (let item = 0; item < count; item++) {
    const probes = doc.getIn(['checklist', item, 'probes']);
    for (let probe = 0; probe < (isSeq(probes) ? probes.items.length : 0); probe++) {
      for (const field of [['http', 'bodyFile'], ['command', 'file']]) {
        const path = ['checklist', item, 'probes', probe, ...field];
        const value = doc.getIn(path);
        if (typeof value === 'string' && !isAbsolute(value)) doc.setIn(path, resolve(base, value));
      }
    }
  }
  // Per platform too: two stand-ins' generators never share (or refuse) one folder.
  const platform = doc.getIn(['platform', 'kind']) ?? basename(String(doc.getIn(['platform', 'adapter']) ?? 'platform'));
  const sampleDir = join(samplesDir, `mutants-${String(platform)}-${size.accounts}-seed-${size.seed}`);
  doc.setIn(['sample'], doc.createNode({ accounts: size.accounts, seed: size.seed }, { flow: true }));
  doc.setIn(['snapshot', 'path'], join(sampleDir, 'snapshot.db'));
  doc.setIn(['productionResult', 'path'], join(sampleDir, 'production-result.db'));
  if (doc.hasIn(['productionResult', 'ledger'])) doc.setIn(['productionResult', 'ledger'], join(sampleDir, 'production-ledger.jsonl'));
  doc.setIn(['platform', 'faults'], doc.createNode([...faults], { flow: true }));
  if (options.controlRun === true) doc.setIn(['verify', 'control'], 'production-release');
  doc.setIn(['report', 'dir'], join(workDir, 'reports'));
  const file = join(workDir, `${name}.yaml`);
  writeFileSync(file, doc.toString());
  return file;
}
