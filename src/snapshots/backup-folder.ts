import type { DatabaseEngine } from '../engine/types.js';
import { backupFolderQuery } from '../engine/mssql/backup-folder-sql.js';
import { readBackupHeader } from '../engine/mssql/compatibility.js';
import { UserError } from '../errors.js';
import type { BackupCandidate } from './types.js';

function firstLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * The `.bak` files of a folder on the SQL Server and when each was taken: its first backup set's
 * BackupFinishDate, read with RESTORE HEADERONLY (which reads the file, never restores it). A file
 * whose header cannot be read, that holds no full database backup, or that records no finish
 * time is a candidate with a problem, which stops the selection.
 */
export async function backupFolderCandidates(server: DatabaseEngine, folder: string): Promise<BackupCandidate[]> {
  let files: { full_filesystem_path: string }[];
  try {
    files = await server.query<{ full_filesystem_path: string; file_or_directory_name: string }>(backupFolderQuery(folder));
  } catch (error) {
    throw new UserError(
      `${server.description} cannot list the snapshot catalogue ${folder}: ${firstLine(error)}. Give the folder as the SQL Server service sees it (\`snapshot.catalogue.folder\`); listing needs SQL Server 2017 or later.`,
    );
  }
  const candidates: BackupCandidate[] = [];
  for (const { full_filesystem_path: path } of files) {
    try {
      const header = await readBackupHeader(server, path);
      if (header === undefined) candidates.push({ id: path, problem: 'unreadable header: it holds no backup set' });
      else if (!header.isFullDatabaseBackup) candidates.push({ id: path, problem: 'its first backup set is not a full database backup' });
      else if (header.finishedAt === undefined) candidates.push({ id: path, problem: 'its header records no BackupFinishDate' });
      else candidates.push({ id: path, takenAt: header.finishedAt, timeSource: 'backup header (BackupFinishDate)' });
    } catch (error) {
      candidates.push({ id: path, problem: `unreadable header: ${firstLine(error)}` });
    }
  }
  return candidates;
}
