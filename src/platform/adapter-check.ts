import { SqliteEngine } from '../engine/sqlite.js';
import { openProductionResult } from '../engine/run-databases.js';
import type { DatabaseEngine } from '../engine/types.js';
import { loadPlan } from '../plan/load.js';
import { CONCEPT_NAMES } from './concepts.js';
import { dryRunProfile, SAMPLE_PARAMETERS } from './dry-run.js';
import { loadAdapter } from './load-adapter.js';
import { Profile } from './profile.js';
import { findQuadraticPlans, type QuadraticPlan } from './query-plans.js';

export interface AdapterCheckResult {
  readonly adapter: string;
  readonly name: string;
  readonly status: string;
  readonly driver: string;
  readonly concepts: readonly string[];
  /** Concepts the adapter leaves out: their checks say "not configured for this platform". */
  readonly notConfigured: readonly string[];
  /** Where the queries were compiled, and how many, with `--against`. */
  readonly compiledAgainst?: { readonly database: string; readonly queries: number };
  /** With `--against` a SQLite snapshot: queries whose plan scans a table once per row of another. */
  readonly quadraticPlans?: readonly QuadraticPlan[];
}

/**
 * `rehearse adapter check <dir> [--against <plan>]`: the adapter's YAML, then (with a plan) every
 * profile query compiled against the plan's snapshot (SQLite, opened read-only) or production's
 * result (SQL Server, only read). Nothing is created; every problem is file:line:column, exit 2.
 * On SQLite the planner is also asked how each query would run: a plan that reads a whole table
 * once per row of another is a warning (exit 0), since it is fast on a sample and slow at scale.
 */
export async function checkAdapter(dir: string, againstPlan?: string): Promise<AdapterCheckResult> {
  const adapter = loadAdapter(dir);
  const profile = new Profile(adapter);
  const result = {
    adapter: adapter.file,
    name: adapter.name,
    status: adapter.status,
    driver: adapter.driver.kind,
    concepts: CONCEPT_NAMES.filter((c) => profile.has(c)),
    notConfigured: CONCEPT_NAMES.filter((c) => !profile.has(c)),
  };
  if (againstPlan === undefined) return result;
  const plan = loadPlan(againstPlan);
  const engine: DatabaseEngine = plan.snapshot.kind === 'sqlite-file' ? SqliteEngine.open(plan.snapshot.path, { readonly: true }) : await openProductionResult(plan);
  try {
    const queries = await dryRunProfile(engine, profile);
    const quadraticPlans = engine instanceof SqliteEngine ? await findQuadraticPlans(engine, profile, SAMPLE_PARAMETERS) : undefined;
    return { ...result, compiledAgainst: { database: engine.description, queries }, ...(quadraticPlans !== undefined ? { quadraticPlans } : {}) };
  } finally {
    await engine.close();
  }
}
