import type { Plan, SnapshotPlan } from '../plan/types.js';
import type { RunContext } from '../pipeline/context.js';
import { UserError, SafetyError } from '../errors.js';
import { planConnection, type PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { createMssqlEngine } from '../engine/mssql/engine.js';
import { rehearsalDatabaseName } from '../engine/mssql/database-name.js';
import { openRestoreTarget } from '../engine/mssql/restore-target.js';
import { restoreNativeBackup } from '../engine/mssql/restore-native.js';
import { restoreRdsBackup } from '../engine/mssql/restore-rds.js';
import { attachSnapshotInstance } from '../engine/mssql/restore-snapshot.js';
import type { DatabaseEngine } from '../engine/types.js';

/**
 * Where this run's copy comes from. On AWS the Pulumi host step knows what it built (a .bak in S3
 * or an instance restored from a DB snapshot) and says so in the environment; that wins over the
 * plan, and the stage's detail line names the source used.
 */
export function restoreSource(plan: Plan, env: NodeJS.ProcessEnv): { source: SnapshotPlan; from: 'plan' | 'Pulumi host step' } {
  const kind = env['REHEARSAL_RESTORE_SOURCE'];
  if (kind === undefined || kind === '') return { source: plan.snapshot, from: 'plan' };
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new UserError(`REHEARSAL_RESTORE_SOURCE is ${kind} but ${name} is not set. The Pulumi host step sets both; run the step again with \`pulumi up\`.`);
    }
    return value;
  };
  if (kind === 'native-backup') return { source: { kind: 'rds-s3-backup', s3Arn: required('REHEARSAL_BAK_S3_ARN') }, from: 'Pulumi host step' };
  if (kind === 'rds-snapshot') return { source: { kind: 'mssql-database', database: required('REHEARSAL_DATABASE_NAME') }, from: 'Pulumi host step' };
  throw new UserError(`REHEARSAL_RESTORE_SOURCE is ${JSON.stringify(kind.slice(0, 80))}; expected native-backup or rds-snapshot (the values the Pulumi host steps set).`);
}

/**
 * Restores the plan's SQL Server snapshot into a new database named after the run (a resumed run
 * gets a new name, so an attempt's copy is never restored over), or attaches the database Pulumi
 * restored from a DB snapshot. The copy is recorded in the run's state before the restore starts
 * (once the server answered), so destroy finds it even if this process dies half-way; destroy drops only what carries the
 * run's marker.
 */
export async function restoreOnSqlServer(ctx: RunContext, env: NodeJS.ProcessEnv = process.env, options: PlanEngineOptions = {}): Promise<string> {
  const { plan, run } = ctx;
  const connection = planConnection(plan, env, options);
  const { source, from } = restoreSource(plan, env);
  const copies = (run.state.sqlServerCopies ??= []);
  const createdAt = new Date().toISOString();

  if (source.kind === 'mssql-database') {
    if (copies.some((c) => c.database.toLowerCase() === source.database.toLowerCase())) {
      throw new SafetyError(
        `Refusing to attach ${source.database} again: this run already used it, so it may be partly sanitized or billed, and rehearse cannot restore an RDS DB snapshot itself. ` +
          'Have Pulumi restore a fresh instance (`pulumi up --replace` on the billing database), then start a new run.',
        1,
      );
    }
    copies.push({ database: source.database, createdByRun: false });
    run.save();
    const engine = await createMssqlEngine({ ...connection, database: source.database });
    try {
      await attachSnapshotInstance(engine, { runId: run.runId, database: source.database, snapshotId: env['REHEARSAL_SNAPSHOT_ID'] ?? source.database, createdAt });
    } catch (error) {
      await engine.close();
      throw error;
    }
    ctx.engine = engine;
    return `attached ${source.database} on ${engine.description} (from the ${from})`;
  }

  const database = rehearsalDatabaseName(copies.length === 0 ? run.runId : `${run.runId}-r${copies.length + 1}`);
  const target = await openRestoreTarget(connection);
  let engine: DatabaseEngine;
  let what: string;
  try {
    // Recorded once the server answered: a server never reached holds no copy for `down` to name.
    copies.push({ database, createdByRun: true });
    run.save();
    if (source.kind === 'mssql-backup-file') {
      ctx.progress.detail(`RESTORE DATABASE ${database} FROM DISK ${source.backupFile} on ${target.server.description}`);
      ({ engine } = await restoreNativeBackup(target, { runId: run.runId, database, backupPath: source.backupFile, createdAt }));
      what = source.backupFile;
    } else if (source.kind === 'rds-s3-backup') {
      ({ engine } = await restoreRdsBackup(target, {
        runId: run.runId,
        database,
        s3Arn: source.s3Arn,
        createdAt,
        onProgress: (p) => ctx.progress.tick('restored (RDS task %)', p.percentComplete, 100),
      }));
      what = source.s3Arn;
    } else {
      throw new UserError(`${plan.file}: a SQLite snapshot (snapshot.path) cannot be restored on SQL Server; set database.engine: sqlite or give a SQL Server source.`);
    }
  } finally {
    await target.close();
  }
  ctx.engine = engine;
  return `${database} restored from ${what} on ${engine.description} (source from the ${from})`;
}
