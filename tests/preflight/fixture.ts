import { copyFileSync, cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNamespaces, namespaceNameFor } from '../../src/sandbox/namespace.js';
import { readSandboxRecord } from '../../src/sandbox/ownership.js';
import { PROJECT_ROOT, validPlanText } from '../helpers/plan-fixture.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';

/**
 * A plan folder that passes every pre-flight check: two real SQLite databases of the sample
 * platform's schema, the shipped rule set and its vendor scripts, reports under `reports/`.
 */
export interface PreflightFixture {
  readonly dir: string;
  readonly reports: string;
  readonly snapshot: string;
  readonly productionResult: string;
  readonly rules: string;
  writePlan(text?: string): string;
}

export function makePreflightFixture(dir: string): PreflightFixture {
  const tiny = makeTinyDatabase();
  const snapshot = join(dir, 'snapshot.db');
  const productionResult = join(dir, 'production-result.db');
  try {
    copyFileSync(tiny.path, snapshot);
    copyFileSync(tiny.path, productionResult);
  } finally {
    tiny.cleanup();
  }
  const rules = join(dir, 'rules.yaml');
  copyFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), rules);
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(dir, 'vendor'), { recursive: true });
  return {
    dir,
    reports: join(dir, 'reports'),
    snapshot,
    productionResult,
    rules,
    writePlan(text = validPlanText()) {
      const file = join(dir, 'plan.yaml');
      writeFileSync(file, text);
      return file;
    },
  };
}

export { rehearseHere, type CliOutcome } from '../helpers/cli-in-process.js';

/** Run folders (anything but the integrity record) under the reports folder. */
export function runFolders(reports: string): string[] {
  return existsSync(reports) ? readdirSync(reports) : [];
}

/**
 * Namespaces that appeared since `before` and belong to a run of the fixture in `dir`: made by
 * this process, recorded with a run folder under `dir`, or named after a run folder there. Other
 * test files (and other worktrees) make sandboxes on this machine at the same time; a plain
 * before/after comparison of `ip netns list` would count theirs.
 */
export async function newNamespaces(before: readonly string[], dir: string, reports: string): Promise<string[]> {
  const known = new Set(before);
  const runs = new Set(runFolders(reports).map((id) => namespaceNameFor(id)));
  return (await listNamespaces()).filter((name) => {
    if (known.has(name)) return false;
    const record = readSandboxRecord(name);
    return record?.ownerPid === process.pid || record?.runDir.startsWith(dir) === true || runs.has(name);
  });
}
