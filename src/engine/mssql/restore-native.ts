import { UserError } from '../../errors.js';
import { writeRunMarker } from '../../run/marker.js';
import { rehearsalDatabaseName } from './database-name.js';
import { defaultPathsQuery, fileListQuery, restoreStatement, type FileMove } from './restore-sql.js';
import { assertDatabaseAbsent, type RestoredDatabase, type RestoreTarget } from './restore-target.js';

export interface NativeRestoreOptions {
  readonly runId: string;
  /** Path of the .bak file as the SQL Server service sees it. */
  readonly backupPath: string;
  readonly createdAt?: string;
  /** The new database's name; by default derived from the run id (a resumed run passes its attempt's name). */
  readonly database?: string;
}

/** One row of RESTORE FILELISTONLY: Type is D (data), L (log), S (FILESTREAM) or F (full-text). */
export interface BackupFile {
  readonly LogicalName: string;
  readonly Type: string;
}

/**
 * Restores a .bak on a self-managed SQL Server into a new database named after the run, every
 * file moved under the server's default data and log folders so no file of the source database
 * is touched. Writes the run marker into the copy.
 */
export async function restoreNativeBackup(target: RestoreTarget, options: NativeRestoreOptions): Promise<RestoredDatabase> {
  const database = options.database ?? rehearsalDatabaseName(options.runId);
  await assertDatabaseAbsent(target.server, database);
  const files = await target.server.query<BackupFile & Record<string, string>>(fileListQuery(options.backupPath));
  if (files.length === 0) throw new UserError(`${options.backupPath} lists no database files; check that it is a full database backup readable by ${target.server.description}.`);
  const [paths] = await target.server.query<{ data_path: string | null; log_path: string | null }>(defaultPathsQuery());
  if (paths?.data_path == null || paths.log_path == null) {
    throw new UserError(
      `${target.server.description} reports no default data or log folder (SERVERPROPERTY InstanceDefaultDataPath/LogPath, SQL Server 2012 or later). ` +
        'Set the default database locations in the server properties, then run again.',
    );
  }
  const moves = planFileMoves(database, files, { data: paths.data_path, log: paths.log_path });
  await target.server.exec(restoreStatement(database, options.backupPath, moves));
  const engine = await target.openDatabase(database);
  await writeRunMarker(engine, { runId: options.runId, createdAt: options.createdAt ?? new Date().toISOString(), source: options.backupPath });
  return { database, engine };
}

/**
 * New physical names come from the database name and the file's position, never from the
 * backup's own logical or physical names, so a hostile backup cannot choose where files go.
 */
export function planFileMoves(database: string, files: readonly BackupFile[], folders: { readonly data: string; readonly log: string }): FileMove[] {
  let dataFiles = 0;
  return files.map((file, index) => {
    const isLog = file.Type === 'L';
    let suffix: string;
    if (isLog) suffix = '.ldf';
    else if (file.Type === 'D') suffix = dataFiles++ === 0 ? '.mdf' : '.ndf';
    else suffix = '';
    return { logicalName: file.LogicalName, physicalPath: joinServerPath(isLog ? folders.log : folders.data, `${database}_${index + 1}${suffix}`) };
  });
}

/** Joins with the separator the server's own path uses (Windows or Linux SQL Server). */
export function joinServerPath(folder: string, name: string): string {
  if (folder.endsWith('\\') || folder.endsWith('/')) return `${folder}${name}`;
  return `${folder}${folder.includes('\\') ? '\\' : '/'}${name}`;
}
