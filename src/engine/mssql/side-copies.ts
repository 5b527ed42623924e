import type { DatabaseEngine } from '../types.js';
import { UserError } from '../../errors.js';
import { joinServerPath, planFileMoves, type BackupFile } from './restore-native.js';
import { defaultPathsQuery, fileListQuery, restoreStatement } from './restore-sql.js';
import { assertDatabaseAbsent, type RestoreTarget } from './restore-target.js';
import { copyOnlyBackupStatement, createSnapshotStatement, dataFilesQuery, defaultBackupPathQuery, deleteBackupFileStatement, serverEditionQuery } from './side-copy-sql.js';

export interface ServerEdition {
  readonly engineEdition: number;
  readonly productVersion: string;
  readonly onRds: boolean;
}

/** How a database can be kept as it is on this server: a snapshot, a backup restored under another name, or not at all (and why). */
export type KeepMethod = { readonly method: 'snapshot' | 'backup-restore' } | { readonly method: 'none'; readonly why: string };

const ENTERPRISE = 3;
const STANDARD = 2;
const EXPRESS = 4;

/**
 * Database snapshots exist in every edition from SQL Server 2016 SP1 (13.0.4001) and in
 * Enterprise and Developer before it; Amazon RDS and Azure SQL have none, and neither can BACKUP to
 * a disk this tool could restore from. `writable` asks for a copy that can be masked (never a snapshot).
 */
export function keepMethod(edition: ServerEdition, writable: boolean): KeepMethod {
  if (edition.onRds) return { method: 'none', why: 'Amazon RDS for SQL Server has no database snapshots and no BACKUP TO DISK; a second copy would need a native backup to an S3 bucket, which the plan does not name' };
  if (edition.engineEdition !== ENTERPRISE && edition.engineEdition !== STANDARD && edition.engineEdition !== EXPRESS) {
    return { method: 'none', why: `this server's engine edition (${edition.engineEdition}, e.g. Azure SQL) has no database snapshots and no BACKUP TO DISK` };
  }
  if (writable) return { method: 'backup-restore' };
  const [major = 0, , build = 0] = edition.productVersion.split('.').map(Number);
  const snapshots = edition.engineEdition === ENTERPRISE || major > 13 || (major === 13 && build >= 4001);
  return { method: snapshots ? 'snapshot' : 'backup-restore' };
}

export async function readServerEdition(server: DatabaseEngine): Promise<ServerEdition> {
  const [row] = await server.query(serverEditionQuery());
  return { engineEdition: Number(row?.['engine_edition'] ?? 0), productVersion: String(row?.['product_version'] ?? ''), onRds: Number(row?.['on_rds'] ?? 0) === 1 };
}

async function defaultFolders(server: DatabaseEngine): Promise<{ data: string; log: string }> {
  const [paths] = await server.query<{ data_path: string | null; log_path: string | null }>(defaultPathsQuery());
  if (paths?.data_path == null || paths.log_path == null) {
    throw new UserError(
      `${server.description} reports no default data or log folder (SERVERPROPERTY InstanceDefaultDataPath/LogPath, SQL Server 2012 or later). ` +
        'Set the default database locations in the server properties, then run again.',
    );
  }
  return { data: paths.data_path, log: paths.log_path };
}

/** A read-only snapshot of `source` named `snapshot`, its sparse files in the server's default data folder (names from the snapshot's name, never from the source's files). */
export async function createSnapshot(server: DatabaseEngine, source: string, snapshot: string): Promise<void> {
  await assertDatabaseAbsent(server, snapshot);
  const files = await server.query(dataFilesQuery(source));
  const { data } = await defaultFolders(server);
  const sparse = files.map((f, i) => ({ logicalName: String(f['logical_name']), path: joinServerPath(data, `${snapshot}_${i + 1}.ss`) }));
  await server.exec(createSnapshotStatement(snapshot, source, sparse));
}

/** What became of a backup file this run wrote on the server: deleted, or still there and why. */
export type BackupFileFate = { readonly file: string; readonly deleted: true } | { readonly file: string; readonly deleted: false; readonly why: string };

/**
 * A copy of `source` named `copy`: a COPY_ONLY backup (the source's own backup chain is left
 * alone) to the server's default backup folder, restored with every file moved as a restore of
 * the run's copy is, then the backup file deleted: it holds the whole source (production's
 * unmasked result, for one of the copies). `backingUp` learns the file's path before the backup
 * starts, so that a run stopped in between still knows what to delete.
 */
export async function copyByBackup(target: RestoreTarget, source: string, copy: string, backingUp: (file: string) => void): Promise<BackupFileFate> {
  const server = target.server;
  await assertDatabaseAbsent(server, copy);
  const folders = await defaultFolders(server);
  const [backup] = await server.query<{ backup_path: string | null }>(defaultBackupPathQuery());
  const file = joinServerPath(backup?.backup_path ?? folders.data, `${copy}.bak`);
  backingUp(file);
  await server.exec(copyOnlyBackupStatement(source, file));
  const listed = await server.query<BackupFile & Record<string, string>>(fileListQuery(file));
  await server.exec(restoreStatement(copy, file, planFileMoves(copy, listed, folders)));
  return deleteBackupFile(server, file);
}

/** Deletes a backup file this run wrote; deleted only when the server then says the file is gone. */
export async function deleteBackupFile(server: DatabaseEngine, file: string): Promise<BackupFileFate> {
  try {
    const [row] = await server.query<{ file_exists: number }>(deleteBackupFileStatement(file));
    return Number(row?.file_exists ?? 1) === 0 ? { file, deleted: true } : { file, deleted: false, why: 'the server still has it after xp_delete_file' };
  } catch (error) {
    return { file, deleted: false, why: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '' };
  }
}
