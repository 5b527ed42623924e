import type { DatabaseEngine, Row } from '../types.js';
import { UserError } from '../../errors.js';
import { writeRunMarker } from '../../run/marker.js';
import { rehearsalDatabaseName } from './database-name.js';
import { rdsRestoreStatement, rdsTaskStatusStatement } from './restore-sql.js';
import { assertDatabaseAbsent, type RestoredDatabase, type RestoreTarget } from './restore-target.js';

export interface RdsTaskProgress {
  readonly taskId: number;
  readonly lifecycle: string;
  readonly percentComplete: number;
}

export interface RdsRestoreOptions {
  readonly runId: string;
  /** `arn:aws:s3:::bucket/key.bak` of the native backup. */
  readonly s3Arn: string;
  readonly createdAt?: string;
  /** The new database's name; by default derived from the run id (a resumed run passes its attempt's name). */
  readonly database?: string;
  readonly pollIntervalMs?: number;
  /** Give up waiting after this long; the RDS task itself keeps running. */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: RdsTaskProgress) => void;
  /** Injected in tests so polling runs without real waiting. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const S3_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const RUNNING = new Set(['CREATED', 'IN_PROGRESS', 'CANCEL_REQUESTED']);
const DEFAULT_POLL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 12 * 60 * 60 * 1000;

/**
 * Restores a native backup from S3 on Amazon RDS for SQL Server: RDS runs the restore as a task,
 * so this starts it and polls rds_task_status until the task succeeds, fails or is cancelled.
 */
export async function restoreRdsBackup(target: RestoreTarget, options: RdsRestoreOptions): Promise<RestoredDatabase> {
  if (!S3_ARN.test(options.s3Arn)) {
    throw new UserError(`${JSON.stringify(options.s3Arn.slice(0, 200))} is not an S3 object ARN; give the backup as arn:aws:s3:::bucket/path/file.bak.`);
  }
  const database = options.database ?? rehearsalDatabaseName(options.runId);
  await assertDatabaseAbsent(target.server, database);
  // RDS keeps task history; a failed earlier attempt under this name must not be read as ours
  const earlier = latestRestoreTask(await target.server.query(rdsTaskStatusStatement(database)), database, -1);
  await target.server.exec(rdsRestoreStatement(database, options.s3Arn));
  await waitForRestoreTask(target.server, database, options, earlier?.taskId ?? -1);
  const engine = await target.openDatabase(database);
  await writeRunMarker(engine, { runId: options.runId, createdAt: options.createdAt ?? new Date().toISOString(), source: options.s3Arn });
  return { database, engine };
}

/** Polls until the newest RESTORE_DB task with an id above `afterTaskId` ends. */
export async function waitForRestoreTask(server: DatabaseEngine, database: string, options: RdsRestoreOptions, afterTaskId: number): Promise<RdsTaskProgress> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    const task = latestRestoreTask(await server.query(rdsTaskStatusStatement(database)), database, afterTaskId);
    if (task !== undefined) {
      const progress = { taskId: task.taskId, lifecycle: task.lifecycle, percentComplete: task.percentComplete };
      options.onProgress?.(progress);
      if (task.lifecycle === 'SUCCESS') return progress;
      if (!RUNNING.has(task.lifecycle)) {
        throw new UserError(
          `The RDS restore of ${database} on ${server.description} ended ${task.lifecycle} (task ${task.taskId}): ${task.taskInfo.trim() || 'RDS gave no task_info'}. ` +
            'Check that the instance option group has SQLSERVER_BACKUP_RESTORE with an IAM role that can read the backup in S3, then run again.',
        );
      }
    }
    if (now() >= deadline) {
      throw new UserError(
        `The RDS restore of ${database} on ${server.description} has not finished after ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 60000)} minutes` +
          `${task === undefined ? ' and no restore task for it appears in rds_task_status' : ` (task ${task.taskId}, ${task.lifecycle}, ${task.percentComplete}%)`}. ` +
          'Look at `EXEC msdb.dbo.rds_task_status` on the instance; raise the timeout for very large backups.',
      );
    }
    await sleep(options.pollIntervalMs ?? DEFAULT_POLL_MS);
  }
}

interface RestoreTask {
  readonly taskId: number;
  readonly lifecycle: string;
  readonly percentComplete: number;
  readonly taskInfo: string;
}

/** rds_task_status lists every task of the database; the newest RESTORE_DB one is ours. */
function latestRestoreTask(rows: readonly Row[], database: string, afterTaskId: number): RestoreTask | undefined {
  let latest: RestoreTask | undefined;
  for (const row of rows) {
    if (row['task_type'] !== 'RESTORE_DB' || row['database_name'] !== database) continue;
    const taskId = Number(row['task_id']);
    if (taskId <= afterTaskId || (latest !== undefined && taskId < latest.taskId)) continue;
    latest = {
      taskId,
      lifecycle: String(row['lifecycle'] ?? ''),
      percentComplete: Number(row['% complete'] ?? 0),
      taskInfo: String(row['task_info'] ?? ''),
    };
  }
  return latest;
}
