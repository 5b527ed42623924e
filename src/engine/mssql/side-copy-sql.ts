import { ident, join, sql, type Fragment } from '../../sql/fragment.js';

/** Every statement that makes the state differential's extra databases on SQL Server; golden tests render each of them. */

/** Which edition the server is (3 Enterprise/Developer, 2 Standard, 4 Express, 5/8 Azure SQL), its version, and whether it is Amazon RDS (its rdsadmin database). */
export function serverEditionQuery(): Fragment {
  return sql`SELECT CAST(SERVERPROPERTY('EngineEdition') AS INT) AS engine_edition, CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)) AS product_version, CASE WHEN DB_ID(N'rdsadmin') IS NULL THEN 0 ELSE 1 END AS on_rds`;
}

/** The data files of a database: a snapshot needs a sparse file for each. */
export function dataFilesQuery(database: string): Fragment {
  return sql`SELECT name AS logical_name FROM ${ident(database, 'sys', 'database_files')} WHERE type = 0 ORDER BY file_id`;
}

export interface SparseFile {
  readonly logicalName: string;
  readonly path: string;
}

/**
 * `CREATE DATABASE … AS SNAPSHOT OF …`: its file names cannot be parameters, so the statement is
 * composed on the server from parameters, every name through QUOTENAME and every path with its
 * quotes doubled; no value is ever pasted into SQL text here.
 */
export function createSnapshotStatement(snapshot: string, source: string, files: readonly SparseFile[]): Fragment {
  const file = (f: SparseFile): Fragment => sql`N'(NAME = ' + QUOTENAME(${f.logicalName}) + N', FILENAME = N''' + REPLACE(${f.path}, N'''', N'''''') + N''')'`;
  return sql`DECLARE @create NVARCHAR(MAX) = N'CREATE DATABASE ' + QUOTENAME(${snapshot}) + N' ON ' + ${join(files.map(file), " + N', ' + ")} + N' AS SNAPSHOT OF ' + QUOTENAME(${source}); EXEC (@create)`;
}

/** Where the server keeps backups by default (SQL Server 2019 and later; NULL before). */
export function defaultBackupPathQuery(): Fragment {
  return sql`SELECT CAST(SERVERPROPERTY('InstanceDefaultBackupPath') AS NVARCHAR(4000)) AS backup_path`;
}

/** A full backup that leaves the database's own backup chain alone (COPY_ONLY), over any earlier file of that name. */
export function copyOnlyBackupStatement(database: string, path: string): Fragment {
  return sql`BACKUP DATABASE ${ident(database)} TO DISK = ${path} WITH COPY_ONLY, INIT`;
}

/**
 * Deletes one backup file this run wrote, then says whether the server still has it. Neither
 * procedure is documented, but both are what SQL Server's own maintenance plans use on every
 * version: xp_delete_file deletes a file only after reading a backup header in it, and does not
 * fail when it deletes nothing, hence the xp_fileexist after it. Needs sysadmin.
 */
export function deleteBackupFileStatement(path: string): Fragment {
  return sql`DECLARE @file NVARCHAR(4000) = ${path}; DECLARE @found TABLE (file_exists INT, is_directory INT, parent_exists INT); EXEC master.sys.xp_delete_file 0, @file; INSERT INTO @found EXEC master.sys.xp_fileexist @file; SELECT file_exists FROM @found`;
}

/** A snapshot cannot be set to single-user; it is dropped as it is, before the database it is a snapshot of. */
export function dropSnapshotStatement(snapshot: string): Fragment {
  return sql`DROP DATABASE ${ident(snapshot)}`;
}
