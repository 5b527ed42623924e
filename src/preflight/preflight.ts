import { existsSync } from 'node:fs';
import type { Plan } from '../plan/types.js';
import type { DatabaseEngine, TableInfo } from '../engine/types.js';
import type { PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { loadRuleSet, type RuleSet } from '../sanitize/rules.js';
import { planLocations, type PlanLocator } from './plan-locations.js';
import { Problems } from './problems.js';
import { reportDirProblem } from './report-dir.js';
import { sameFile } from './distinct-files.js';
import { inspectSqliteFile } from './sqlite-file.js';
import { checkInternalTables, checkRulesAgainstSource } from './rule-targets.js';
import { releaseNoteTargetProblems } from '../release-notes/targets.js';
import { checkSqlServerSources } from './sql-server-sources.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { checkVendorScripts, guardVendorScripts } from '../sanitize/vendor-scripts.js';
import { resolveSnapshot, type CatalogueOptions } from '../snapshots/resolve.js';
import { describeCatalogue } from '../plan/sources.js';
import { checkConfigurationOverrides } from './configuration-overrides.js';
import { Profile } from '../platform/profile.js';
import { billDateParameters, checkProfileSample, dryRunProfile, SAMPLE_ROWS } from '../platform/dry-run.js';

/**
 * Checks the vendor sanitize scripts against the read-only source without running them; reports
 * input problems by throwing ConfigError/UserError.
 */
export type VendorScriptDryRun = (source: DatabaseEngine, files: readonly string[]) => Promise<void>;

/**
 * SQLite: refusals, then every statement on an empty copy of the source's schema. SQL Server:
 * refusals only, since nothing can run against a copy that does not exist yet.
 */
const dryRunVendorScripts: VendorScriptDryRun = async (source, files) => {
  if (source instanceof SqliteEngine) checkVendorScripts(source.connection, files);
  else guardVendorScripts(files, source.kind);
};

export interface PreflightOptions {
  /**
   * `always` before `all` and the single stages, which need the database anyway. `when-configured`
   * for `check` and `up`, which ask SQL Server only when the plan's connection string is set: a
   * plan is checked where its server may be out of reach (an operator's machine, for an AWS plan),
   * and the AWS host's sinkhole service runs `up` without the connection string.
   */
  readonly askSqlServer: 'always' | 'when-configured';
  readonly env?: NodeJS.ProcessEnv;
  /** How to reach SQL Server; tests pass a fake pool. */
  readonly sqlServer?: PlanEngineOptions;
  /** Lists an AWS snapshot catalogue (tests pass fixtures; the default asks the AWS CLI). */
  readonly listAws?: CatalogueOptions['listAws'];
  /** Replaces the vendor-script dry run (tests). */
  readonly dryRunVendorScripts?: VendorScriptDryRun;
}

export interface PreflightResult {
  /**
   * The plan to run: with a snapshot catalogue, the plan of the backup picked from it (and the
   * selection); otherwise the plan given. Unresolved only when `check` could not ask SQL Server.
   */
  readonly plan: Plan;
  readonly ruleSet: RuleSet;
  /** What was verified, for `rehearse check`. */
  readonly checked: readonly string[];
  /** What cannot be verified before the restore, and why; the stages check it later. */
  readonly notes: readonly string[];
}

/** Where the source's schema came from, for the rule checks and the vendor-script dry run. */
interface SourceSchema {
  readonly engine: DatabaseEngine;
  readonly tables: readonly TableInfo[];
}

/**
 * Everything about the plan's inputs that can be known before a run folder, a sandbox or a copy
 * exists, read only: the report folder, the sources (SQLite files or SQL Server databases and
 * backups), the rules against the source's schema. Every problem found is reported at once
 * (exit 2, at its place in the plan or rule set); nothing is created or written.
 */
export async function preflight(given: Plan, options: PreflightOptions): Promise<PreflightResult> {
  const env = options.env ?? process.env;
  const locations = planLocations(given);
  const problems = new Problems();
  const checked: string[] = [];
  const notes: string[] = [];
  const opened: DatabaseEngine[] = [];
  try {
    const plan = await pickSnapshot(given, options, env, problems, checked, notes);
    let ruleSet: RuleSet | undefined;
    await problems.collect(() => (ruleSet = loadRuleSet(plan.sanitize.rules)));

    const reportDir = reportDirProblem(plan.report.dir);
    if (reportDir === undefined) checked.push(`report folder ${plan.report.dir}: a run folder can be made there`);
    else if (locations.written(['report', 'dir'])) problems.add(locations.errorAt(['report', 'dir'], `\`report.dir\` cannot hold the run's folder: ${reportDir}`));
    else problems.add(locations.errorAt([], `the default report folder cannot hold the run's folder: ${reportDir}; set \`report.dir\``));

    let source: SourceSchema | undefined;
    if (plan.database.engine === 'sqlite') {
      source = await checkSqliteSources(plan, locations.errorAt, problems, checked, notes, opened);
    } else if (options.askSqlServer === 'when-configured' && (env[plan.database.connectionStringEnv ?? ''] ?? '') === '') {
      notes.push(`SQL Server was not asked: ${plan.database.connectionStringEnv ?? 'the connection string variable'} is not set (\`rehearse all\` and the stages check the sources there first)`);
    } else {
      await problems.collect(async () => {
        const look = await checkSqlServerSources(plan, locations.errorAt, problems, env, options.sqlServer ?? {});
        checked.push(...look.notes);
        if (look.source !== undefined) {
          opened.push(look.source);
          source = { engine: look.source, tables: await look.source.tables() };
        }
      });
    }

    if (source !== undefined) {
      for (const problem of releaseNoteTargetProblems(plan.releaseNotes, source.tables, locations.errorAt)) problems.add(problem);
      await checkAdapterAgainstSource(plan, source.engine, problems, checked);
    }
    if (ruleSet !== undefined) {
      const rules = ruleSet;
      checkInternalTables(rules, problems);
      if (source !== undefined) {
        const before = problems.count;
        await checkRulesAgainstSource(rules, source.tables, problems);
        if (problems.count === before) checked.push(`rule set ${rules.file}: ${rules.rules.length} rules match the snapshot's tables, columns and types`);
        if (rules.vendorScripts.length > 0) {
          const engine = source.engine;
          const dryRun = options.dryRunVendorScripts ?? dryRunVendorScripts;
          await problems.collect(() => dryRun(engine, rules.vendorScripts));
        }
      } else {
        notes.push(`rule set ${rules.file}: checked against the copy's schema after the restore (the snapshot's schema cannot be read before)`);
      }
    }
    problems.throwIfAny();
    if (ruleSet === undefined) throw new Error('unreachable: a rule set that failed to load is a problem');
    return { plan, ruleSet, checked, notes };
  } finally {
    for (const engine of opened) await engine.close();
  }
}

/**
 * The adapter's queries against the snapshot, read only: each compiles and returns its concept's
 * columns, and the numeric ones hold numbers in the first rows. An adapter mistake then stops the
 * run here, not after a restore and sanitize that take an hour on a large copy. The bill-run stage
 * checks again on the copy (and checks every row it reads).
 */
async function checkAdapterAgainstSource(plan: Plan, engine: DatabaseEngine, problems: Problems, checked: string[]): Promise<void> {
  const profile = new Profile(plan.platform.adapter);
  const before = problems.count;
  let compiled = 0;
  await problems.collect(async () => (compiled = await dryRunProfile(engine, profile, 'the snapshot')));
  if (problems.count > before) return;
  let sampled = 0;
  await problems.collect(async () => (sampled = await checkProfileSample(engine, profile, billDateParameters(plan.billRun.date))));
  if (problems.count > before) return;
  checked.push(`adapter ${plan.platform.adapter.file}: ${compiled} queries compile against the snapshot; the numeric columns of ${sampled} concepts hold numbers in their first ${SAMPLE_ROWS} rows`);
}

/**
 * A catalogue is resolved first, so every later check reads the backup that will be restored.
 * `check` and `up` leave it for later when it needs a SQL Server they may not ask, or an AWS
 * catalogue (the Pulumi program and `rehearse snapshots` list those).
 */
async function pickSnapshot(plan: Plan, options: PreflightOptions, env: NodeJS.ProcessEnv, problems: Problems, checked: string[], notes: string[]): Promise<Plan> {
  if (plan.snapshot.kind !== 'catalogue') return plan;
  const { catalogue } = plan.snapshot;
  const noServer = plan.database.engine === 'mssql' && (env[plan.database.connectionStringEnv ?? ''] ?? '') === '';
  const needsServer = plan.database.engine === 'mssql' && (catalogue.source.kind === 'folder' || catalogue.billRunStartedAt === undefined);
  if (options.askSqlServer === 'when-configured' && ((needsServer && noServer) || catalogue.source.kind !== 'folder')) {
    notes.push(`snapshot catalogue ${describeCatalogue(catalogue.source)}: the backup is picked when the run starts (\`rehearse snapshots\` shows the pick)`);
    return plan;
  }
  let resolved = plan;
  await problems.collect(async () => {
    resolved = await resolveSnapshot(plan, { env, ...(options.sqlServer !== undefined ? { sqlServer: options.sqlServer } : {}), ...(options.listAws !== undefined ? { listAws: options.listAws } : {}) });
  });
  const selection = resolved.snapshotSelection;
  if (selection !== undefined) {
    checked.push(`snapshot catalogue ${selection.catalogue}: picked ${selection.reason ?? ''}`);
    if (selection.warning !== undefined) notes.push(`warning: ${selection.warning}`);
  }
  return resolved;
}

/** SQLite: two files, read only, never the same one. */
async function checkSqliteSources(
  plan: Plan,
  at: PlanLocator,
  problems: Problems,
  checked: string[],
  notes: string[],
  opened: DatabaseEngine[],
): Promise<SourceSchema | undefined> {
  const { snapshot, productionResult } = plan;
  if (snapshot.kind !== 'sqlite-file' || productionResult.kind !== 'sqlite-file') return undefined;
  if (plan.sample !== undefined && (!existsSync(snapshot.path) || !existsSync(productionResult.path))) {
    notes.push('the sample block generates the snapshot and production result before the restore; they are checked there');
    return undefined;
  }
  const same = sameFile(snapshot.path, productionResult.path);
  if (same !== undefined) problems.add(at(['productionResult', 'path'], `production's result must be a different file from the snapshot: ${same}`));

  let source: SourceSchema | undefined;
  const snap = await inspectSqliteFile(snapshot.path);
  if (snap.kind === 'problem') problems.add(at(['snapshot', 'path'], `the snapshot ${snapshot.path} cannot be restored: ${snap.reason}`));
  else if (snap.kind === 'wal-mode') {
    if (existsSync(`${snapshot.path}-wal`)) {
      problems.add(at(['snapshot', 'path'], `the snapshot ${snapshot.path} has a write-ahead log beside it (${snapshot.path}-wal), so a copy of the file alone would miss data; checkpoint it (sqlite3 <file> "PRAGMA wal_checkpoint(TRUNCATE)") or take it from a closed database`));
    } else notes.push(`snapshot ${snapshot.path}: a WAL-mode file, so only its header is read here (opening it would add files beside it)`);
  } else {
    opened.push(snap.engine);
    source = { engine: snap.engine, tables: snap.tables };
    checked.push(`snapshot ${snapshot.path}: a SQLite database with ${snap.tables.length} tables`);
  }

  const result = await inspectSqliteFile(productionResult.path);
  if (result.kind === 'problem') problems.add(at(['productionResult', 'path'], `production's result ${productionResult.path} cannot be compared with: ${result.reason}`));
  else if (result.kind === 'wal-mode') notes.push(`production's result ${productionResult.path}: a WAL-mode file, so only its header is read here`);
  else {
    await problems.collect(() => checkConfigurationOverrides(plan, result.engine, checked, notes)).finally(() => result.engine.close());
    const names = new Set(result.tables.map((t) => t.name));
    if (source !== undefined && !source.tables.some((t) => names.has(t.name))) {
      problems.add(at(['productionResult', 'path'], `production's result ${productionResult.path} shares no table with the snapshot, so it is not the same platform's database after its bill run`));
    } else checked.push(`production's result ${productionResult.path}: a SQLite database with ${result.tables.length} tables`);
  }
  if (same === undefined) checked.push('snapshot and production result are different files (real path, device and inode)');
  return source;
}
