import type { RunContext } from '../pipeline/context.js';
import { withoutBackupFile, type RunFolder, type SqlServerCopy } from '../run/run-folder.js';
import { currentSqlServerCopy } from '../engine/run-databases.js';
import { planConnection, type PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { openRestoreTarget, type RestoreTarget } from '../engine/mssql/restore-target.js';
import { copyByBackup, createSnapshot, keepMethod, readServerEdition, type BackupFileFate } from '../engine/mssql/side-copies.js';
import { writeRunMarker } from '../run/marker.js';
import { applyRules } from '../sanitize/apply.js';
import { runVendorScripts } from '../sanitize/vendor-scripts.js';
import type { Masker } from '../sanitize/maskers.js';
import type { RuleSet } from '../sanitize/rules.js';

type Role = NonNullable<SqlServerCopy['role']>;

/** `<copy>_pre`, `<copy>_pre_2`, …: a stage run again (a resume) never makes a database over an earlier attempt's. */
function sideName(ctx: RunContext, base: string, role: Role): string {
  const suffix = role === 'before-bill-run' ? 'pre' : 'production';
  const earlier = (ctx.run.state.sqlServerCopies ?? []).filter((c) => c.role === role).length;
  return earlier === 0 ? `${base}_${suffix}` : `${base}_${suffix}_${earlier + 1}`;
}

/** Notes on the run's side copy `database` the backup file it is about to be restored from, or that the file is gone. */
function noteBackupFile(run: RunFolder, database: string, file: string | undefined): void {
  run.state.sqlServerCopies = (run.state.sqlServerCopies ?? []).map((c) => (c.database !== database ? c : file === undefined ? withoutBackupFile(c) : { ...c, backupFile: file }));
  run.save();
}

/** Restores `source` as `name` through a backup file, which the run knows of until the server has deleted it. */
async function copyThroughBackupFile(run: RunFolder, target: RestoreTarget, source: string, name: string): Promise<BackupFileFate> {
  const fate = await copyByBackup(target, source, name, (file) => noteBackupFile(run, name, file));
  if (fate.deleted) noteBackupFile(run, name, undefined);
  return fate;
}

/** What the stage says of the backup file: gone, or where it is and what to do. */
function describeBackupFile(fate: BackupFileFate, holds: string): string {
  return fate.deleted ? 'its backup file deleted' : `its backup file ${fate.file}, which holds ${holds}, could not be deleted (${fate.why}): \`rehearse down\` tries again, else delete it on the server`;
}

/**
 * Makes one of the state differential's extra databases on the plan's server: recorded in the
 * run's state before it is made (destroy drops what carries the run's marker), and, where the
 * server cannot make it or making it fails, the reason recorded instead, so verify says why the
 * differential did not run. The bill run goes on either way: the other checks stand without it.
 */
async function makeSideCopy(
  ctx: RunContext,
  role: Role,
  of: string,
  make: (target: RestoreTarget, name: string, method: 'snapshot' | 'backup-restore') => Promise<string>,
  env: NodeJS.ProcessEnv,
  options: PlanEngineOptions,
): Promise<string> {
  const { run } = ctx;
  const copy = currentSqlServerCopy(run.state);
  if (copy === undefined) throw new Error('the state differential needs the run copy on SQL Server');
  const what = role === 'before-bill-run' ? 'the copy as it was before the bill run' : "production's masked result";
  let target: (RestoreTarget & { close(): Promise<void> }) | undefined;
  try {
    target = await openRestoreTarget(planConnection(ctx.plan, env, options));
    const how = keepMethod(await readServerEdition(target.server), role === 'production-masked');
    if (how.method === 'none') {
      run.state.stateDifferentialUnavailable = { status: 'skipped', reason: `not run: ${what} cannot be kept on this server (${how.why}); the field-level and outbound checks stand without it` };
      run.save();
      return `state differential not possible here: ${how.why}`;
    }
    const name = sideName(ctx, copy.database, role);
    run.state.sqlServerCopies = [...(run.state.sqlServerCopies ?? []), { database: name, createdByRun: true, role, of, ...(how.method === 'snapshot' ? { snapshot: true } : {}) }];
    run.save();
    return await make(target, name, how.method);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    run.state.stateDifferentialUnavailable = { status: 'failed', reason: `could not compare: making ${what} failed (${message}); run the rehearsal again with --fresh` };
    run.save();
    return `state differential: making ${what} failed (${message})`;
  } finally {
    await target?.close();
  }
}

/**
 * The copy as it is just before the bill run, for the state differential: a database snapshot
 * where the edition has them (copy-on-write, so it costs only the pages the bill run changes),
 * else a COPY_ONLY backup restored under another name. Either carries the run's marker, since the
 * copy it was made from does.
 */
export async function keepBeforeBillRunOnSqlServer(ctx: RunContext, env: NodeJS.ProcessEnv = process.env, options: PlanEngineOptions = {}): Promise<string> {
  const copy = currentSqlServerCopy(ctx.run.state);
  if (copy === undefined) throw new Error('the state differential needs the run copy on SQL Server');
  const unavailable = ctx.run.state.stateDifferentialUnavailable;
  if (unavailable !== undefined) return `no state before the bill run kept: ${unavailable.reason}`;
  return makeSideCopy(
    ctx,
    'before-bill-run',
    copy.database,
    async (target, name, method) => {
      if (method === 'snapshot') {
        await createSnapshot(target.server, copy.database, name);
        return `database snapshot ${name} of ${copy.database} kept as the state before the bill run`;
      }
      const fate = await copyThroughBackupFile(ctx.run, target, copy.database, name);
      return `${name} restored from a COPY_ONLY backup of ${copy.database} as the state before the bill run (${describeBackupFile(fate, 'the sanitized copy')}): this edition has no database snapshots`;
    },
    env,
    options,
  );
}

/**
 * Production's result copied on its server (COPY_ONLY backup, restored under the run's name) and
 * masked with this run's key, rules and vendor scripts exactly as the copy was: masking is
 * deterministic, so rows both bill runs wrote alike compare equal. Production's result itself is
 * only read by the backup. The masked copy carries this run's marker.
 */
export async function maskProductionOnSqlServer(ctx: RunContext, ruleSet: RuleSet, masker: Masker, env: NodeJS.ProcessEnv = process.env, options: PlanEngineOptions = {}): Promise<string> {
  const result = ctx.plan.productionResult;
  if (result.kind !== 'mssql-database') throw new Error("production's result is not a SQL Server database");
  // Sanitize run again (a resume) asks the server again.
  delete ctx.run.state.stateDifferentialUnavailable;
  return makeSideCopy(
    ctx,
    'production-masked',
    result.database,
    async (target, name) => {
      const fate = await copyThroughBackupFile(ctx.run, target, result.database, name);
      const engine = await target.openDatabase(name);
      try {
        await writeRunMarker(engine, { runId: ctx.run.runId, createdAt: new Date().toISOString(), source: `production's result ${result.database}` });
        await applyRules(engine, ruleSet, masker, ctx.plan.sanitize.safeDomain, ctx.progress, { batchRows: ctx.plan.sanitize.batchRows });
        await runVendorScripts(engine, ctx.run.runId, ruleSet.vendorScripts);
      } finally {
        await engine.close();
      }
      return `production's result ${result.database} copied to ${name} (${describeBackupFile(fate, "production's result unmasked")}) and masked alike`;
    },
    env,
    options,
  );
}
