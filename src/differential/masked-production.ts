import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../engine/sqlite.js';
import { writeRunMarker } from '../run/marker.js';
import { applyRules } from '../sanitize/apply.js';
import { runVendorScripts } from '../sanitize/vendor-scripts.js';
import type { Masker } from '../sanitize/maskers.js';
import type { RuleSet } from '../sanitize/rules.js';
import type { Progress } from '../ui/progress.js';

/** Beside the run's copy in its work folder, so destroy removes them together. */
export function maskedProductionPath(workDir: string): string {
  return join(workDir, 'production-masked.db');
}

export function beforeBillRunPath(workDir: string): string {
  return join(workDir, 'before-bill-run.db');
}

/**
 * Production's result masked with this run's key, rules and vendor scripts, exactly as the copy was:
 * masking is deterministic, so a row both bill runs wrote alike compares equal. The source is only
 * read (a byte copy); the masked file carries this run's marker like the copy.
 */
export async function maskProductionResult(options: {
  readonly productionResult: string;
  readonly workDir: string;
  readonly runId: string;
  readonly ruleSet: RuleSet;
  readonly masker: Masker;
  readonly safeDomain: string;
  readonly progress: Progress;
}): Promise<string> {
  const target = maskedProductionPath(options.workDir);
  copyFileSync(options.productionResult, target);
  let engine: SqliteEngine | undefined;
  try {
    engine = SqliteEngine.open(target);
    await writeRunMarker(engine, { runId: options.runId, createdAt: new Date().toISOString(), source: `production's result ${options.productionResult}` });
    await applyRules(engine, options.ruleSet, options.masker, options.safeDomain, options.progress);
    await runVendorScripts(engine, options.runId, options.ruleSet.vendorScripts);
    await engine.close();
    return target;
  } catch (error) {
    await engine?.close().catch(() => undefined);
    rmSync(target, { force: true });
    throw error;
  }
}
