import { sql, ident, join, type Fragment } from '../../sql/fragment.js';

/** Every statement the restore variants send; golden tests render each of them. */

export function databaseIdQuery(database: string): Fragment {
  return sql`SELECT DB_ID(${database}) AS [database_id]`;
}

export function currentDatabaseQuery(): Fragment {
  return sql`SELECT DB_NAME() AS [database_name]`;
}

export function fileListQuery(backupPath: string): Fragment {
  return sql`RESTORE FILELISTONLY FROM DISK = ${backupPath}`;
}

export function defaultPathsQuery(): Fragment {
  return sql`SELECT CAST(SERVERPROPERTY(${'InstanceDefaultDataPath'}) AS NVARCHAR(4000)) AS [data_path], CAST(SERVERPROPERTY(${'InstanceDefaultLogPath'}) AS NVARCHAR(4000)) AS [log_path]`;
}

export interface FileMove {
  readonly logicalName: string;
  readonly physicalPath: string;
}

/** Without REPLACE, so SQL Server itself also refuses to overwrite a database. */
export function restoreStatement(database: string, backupPath: string, moves: readonly FileMove[]): Fragment {
  const moveClauses = moves.map((m) => sql`MOVE ${m.logicalName} TO ${m.physicalPath}`);
  return sql`RESTORE DATABASE ${database} FROM DISK = ${backupPath} WITH ${join(moveClauses, ', ')}, RECOVERY`;
}

export function rdsRestoreStatement(database: string, s3Arn: string): Fragment {
  return sql`EXEC msdb.dbo.rds_restore_database @restore_db_name = ${database}, @s3_arn_to_restore_from = ${s3Arn}`;
}

export function rdsTaskStatusStatement(database: string): Fragment {
  return sql`EXEC msdb.dbo.rds_task_status @db_name = ${database}`;
}

/**
 * Drops a run's copy: other sessions (the platform's pool, an operator's SSMS) are cut off first,
 * or DROP DATABASE waits on them. Database names cannot be parameters here, so it is quoted.
 */
export function dropDatabaseStatements(database: string): Fragment[] {
  return [sql`ALTER DATABASE ${ident(database)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE`, sql`DROP DATABASE ${ident(database)}`];
}
