import { sql, ident, type Fragment } from '../../sql/fragment.js';

/**
 * The `.bak` files directly in a folder, as the SQL Server service sees it (the server reads the
 * backups, so its view of the folder is the one that counts). sys.dm_os_enumerate_filesystem
 * exists from SQL Server 2017; older servers answer with an error the catalogue reports.
 */
export function backupFolderQuery(folder: string): Fragment {
  const col = (name: string) => ident(name);
  return sql`SELECT ${col('full_filesystem_path')}, ${col('file_or_directory_name')} FROM ${ident('sys', 'dm_os_enumerate_filesystem')}(${folder}, ${'*.bak'}) WHERE ${col('is_directory')} = 0 ORDER BY ${col('file_or_directory_name')}`;
}
