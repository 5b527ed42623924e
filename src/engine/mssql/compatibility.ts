import { sql, ident, type Fragment } from '../../sql/fragment.js';
import type { DatabaseEngine } from '../types.js';

/**
 * The lowest database compatibility level the product's T-SQL runs at: the checks order
 * STRING_AGG with WITHIN GROUP, which SQL Server accepts from level 110 (SQL Server 2012).
 * OPENJSON (level 130) is not used, so copies of long-lived databases at 110 or 120 are sanitized
 * like any other.
 */
export const MIN_COMPATIBILITY_LEVEL = 110;

const RELEASES: Readonly<Record<number, string>> = {
  80: 'SQL Server 2000',
  90: 'SQL Server 2005',
  100: 'SQL Server 2008',
  110: 'SQL Server 2012',
  120: 'SQL Server 2014',
  130: 'SQL Server 2016',
  140: 'SQL Server 2017',
  150: 'SQL Server 2019',
  160: 'SQL Server 2022',
  170: 'SQL Server 2025',
};

export function describeCompatibilityLevel(level: number): string {
  const release = RELEASES[level];
  return release === undefined ? `compatibility level ${level}` : `compatibility level ${level} (${release})`;
}

/** Sent to master; the server reads the file, so the path is as the SQL Server service sees it. */
export function backupHeaderQuery(backupPath: string): Fragment {
  return sql`RESTORE HEADERONLY FROM DISK = ${backupPath}`;
}

export function databaseStatusQuery(database: string): Fragment {
  return sql`SELECT ${ident('compatibility_level')}, ${ident('state_desc')} FROM ${ident('sys', 'databases')} WHERE ${ident('name')} = ${database}`;
}

/** RESTORE HEADERONLY's BackupType for a full database backup, the only kind a restore starts from. */
const FULL_DATABASE_BACKUP = 1;

export interface BackupHeader {
  readonly compatibilityLevel: number;
  readonly isFullDatabaseBackup: boolean;
  readonly databaseName: string;
  /** BackupFinishDate, ISO 8601 UTC, when the server reported one that reads as a time. */
  readonly finishedAt?: string;
}

/**
 * RESTORE HEADERONLY returns BackupFinishDate in the server's local time (a datetime without a
 * zone; mssql reads it as UTC) next to TimeZone, the server's offset in 15-minute steps when the
 * backup was made (127 when unknown). The offset turns it into a UTC instant.
 */
function backupFinishedAt(finish: unknown, timeZone: unknown): string | undefined {
  const local = finish instanceof Date ? finish : typeof finish === 'string' ? new Date(/Z|[+-]\d{2}:?\d{2}$/.test(finish) ? finish : `${finish}Z`) : undefined;
  if (local === undefined || Number.isNaN(local.getTime())) return undefined;
  const quarters = Number(timeZone);
  const offsetMinutes = Number.isInteger(quarters) && quarters !== 127 && Math.abs(quarters) <= 56 ? quarters * 15 : 0;
  return new Date(local.getTime() - offsetMinutes * 60_000).toISOString();
}

/** The first backup set in the file, the one `RESTORE DATABASE ... FROM DISK` restores. */
export async function readBackupHeader(server: DatabaseEngine, backupPath: string): Promise<BackupHeader | undefined> {
  const rows = await server.query<{ Position: number; BackupType: number; CompatibilityLevel: number; DatabaseName: string; BackupFinishDate?: string | null; TimeZone?: number | null }>(backupHeaderQuery(backupPath));
  const first = [...rows].sort((a, b) => Number(a.Position) - Number(b.Position))[0];
  if (first === undefined) return undefined;
  const finishedAt = backupFinishedAt(first.BackupFinishDate, first.TimeZone);
  return {
    compatibilityLevel: Number(first.CompatibilityLevel),
    isFullDatabaseBackup: Number(first.BackupType) === FULL_DATABASE_BACKUP,
    databaseName: String(first.DatabaseName),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
  };
}

export interface DatabaseStatus {
  readonly compatibilityLevel: number;
  /** ONLINE, RESTORING, OFFLINE, ... as sys.databases says. */
  readonly state: string;
}

export async function readDatabaseStatus(server: DatabaseEngine, database: string): Promise<DatabaseStatus | undefined> {
  const [row] = await server.query<{ compatibility_level: number; state_desc: string }>(databaseStatusQuery(database));
  return row === undefined ? undefined : { compatibilityLevel: Number(row.compatibility_level), state: String(row.state_desc) };
}
