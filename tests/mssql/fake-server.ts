import type { config as MssqlConfig } from 'mssql';
import type { CreatePool } from '../../src/engine/mssql/driver.js';
import { MARKER_TABLE } from '../../src/run/marker.js';
import { FakeMssql, type SentStatement } from './fake-mssql.js';

/**
 * A SQL Server with databases, enough for the stages' restore, marker and drop logic: master
 * answers DB_ID, FILELISTONLY, the default folders, RESTORE and DROP; each database keeps its
 * marker row. Every statement is recorded with the database it was sent to.
 */
export class FakeServer {
  readonly databases = new Map<string, { marker?: string[]; tables: Set<string>; snapshotOf?: string }>();
  readonly log: { database: string; text: string }[] = [];
  readonly connectedTo: string[] = [];
  /** Backup files written by BACKUP DATABASE, with the marker the database carried. */
  readonly backups = new Map<string, string[] | undefined>();
  /** How xp_delete_file behaves: deletes, is refused (no sysadmin), or deletes nothing without an error. */
  backupDeletion: 'deletes' | 'denied' | 'silently-keeps' = 'deletes';
  /** A database whose RESTORE fails (a full disk), after its backup was written. */
  failRestoreOf: string | undefined;
  /** SERVERPROPERTY('EngineEdition'), ProductVersion and whether rdsadmin exists. */
  edition = { engine_edition: 3, product_version: '16.0.4135.4', on_rds: 0 };

  constructor(existing: Record<string, { markerRunId?: string }> = {}) {
    for (const [name, { markerRunId }] of Object.entries(existing)) {
      this.databases.set(name, {
        tables: new Set(markerRunId !== undefined ? [MARKER_TABLE] : []),
        ...(markerRunId !== undefined ? { marker: [markerRunId, '2026-11-01T00:00:00Z', 'earlier'] } : {}),
      });
    }
  }

  readonly createPool: CreatePool = (config: MssqlConfig) => {
    const database = config.database ?? 'master';
    this.connectedTo.push(database);
    const fake = new FakeMssql();
    fake.respond = (statement) => this.answer(database, statement);
    return fake.createPool(config);
  };

  private answer(database: string, statement: SentStatement): { recordset?: Record<string, unknown>[]; rowsAffected?: number[] } | Error {
    const { text } = statement;
    const first = statement.inputs[0]?.value;
    this.log.push({ database, text });
    if (database === 'master') {
      if (text.startsWith('SELECT DB_ID')) return { recordset: [{ database_id: this.databases.has(String(first)) ? 7 : null }] };
      if (text.startsWith("SELECT CAST(SERVERPROPERTY('EngineEdition')")) return { recordset: [this.edition] };
      if (text.startsWith("SELECT CAST(SERVERPROPERTY('InstanceDefaultBackupPath')")) return { recordset: [{ backup_path: '/var/opt/mssql/backup' }] };
      if (text.startsWith('SELECT name AS logical_name FROM')) return { recordset: [{ logical_name: 'billing' }, { logical_name: 'billing_archive' }] };
      if (text.startsWith('DECLARE @create')) {
        const values = statement.inputs.map((i) => String(i.value));
        const [snapshot, source] = [values[0], values.at(-1)];
        const of = this.databases.get(String(source));
        if (of === undefined || snapshot === undefined) return new Error(`Database '${String(source)}' does not exist.`);
        this.databases.set(snapshot, { tables: new Set(of.tables), ...(of.marker !== undefined ? { marker: [...of.marker] } : {}), snapshotOf: String(source) });
        return {};
      }
      if (text.startsWith('DECLARE @file')) {
        if (this.backupDeletion === 'denied') return new Error("Msg 229: The EXECUTE permission was denied on the object 'xp_delete_file', database 'mssqlsystemresource', schema 'sys'.");
        if (this.backupDeletion === 'deletes') this.backups.delete(String(first));
        return { recordset: [{ file_exists: this.backups.has(String(first)) ? 1 : 0 }] };
      }
      const backup = /^BACKUP DATABASE \[(.+)\] TO DISK/.exec(text);
      if (backup?.[1] !== undefined) {
        const of = this.databases.get(backup[1].replaceAll(']]', ']'));
        if (of === undefined) return new Error(`Database '${backup[1]}' does not exist.`);
        this.backups.set(String(first), of.marker);
        return {};
      }
      if (text.startsWith('ALTER DATABASE') && [...this.databases].some(([name, db]) => db.snapshotOf !== undefined && text.startsWith(`ALTER DATABASE [${name}]`))) {
        return new Error('Msg 5093: The operation cannot be performed on a database snapshot.');
      }
      if (text.startsWith('RESTORE FILELISTONLY')) return { recordset: [{ LogicalName: 'billing', Type: 'D' }, { LogicalName: 'billing_log', Type: 'L' }] };
      if (text.startsWith('SELECT CAST(SERVERPROPERTY')) return { recordset: [{ data_path: '/var/opt/mssql/data/', log_path: '/var/opt/mssql/log/' }] };
      if (text.startsWith('RESTORE DATABASE')) {
        if (String(first) === this.failRestoreOf) return new Error('Msg 3257: There is insufficient free space on disk volume to create the database.');
        const marker = this.backups.get(String(statement.inputs[1]?.value));
        this.databases.set(String(first), { tables: new Set(marker !== undefined ? [MARKER_TABLE] : []), ...(marker !== undefined ? { marker: [...marker] } : {}) });
        return {};
      }
      const drop = /^DROP DATABASE \[(.+)\]$/.exec(text);
      if (drop?.[1] !== undefined) {
        const name = drop[1].replaceAll(']]', ']');
        if ([...this.databases.values()].some((db) => db.snapshotOf === name)) return new Error(`Msg 3709: Cannot drop the database while the database snapshot "${name}_pre" refers to it.`);
        this.databases.delete(name);
      }
      return {};
    }
    const db = this.databases.get(database);
    if (db === undefined) return new Error(`Cannot open database "${database}" requested by the login.`);
    if (text.startsWith('SELECT DB_NAME()')) return { recordset: [{ database_name: database }] };
    if (text.startsWith('SELECT [c].[TABLE_NAME]')) return { recordset: [...db.tables].map((t) => ({ table_name: t, column_name: 'x', data_type: 'nvarchar' })) };
    const created = /^CREATE TABLE \[([^\]]+)\]/.exec(text);
    if (created?.[1] !== undefined) db.tables.add(created[1]);
    if (text.startsWith(`INSERT INTO [${MARKER_TABLE}]`)) db.marker = statement.inputs.map((i) => String(i.value));
    if (text.startsWith(`SELECT [run_id]`) && db.marker !== undefined) {
      const [run_id, created_at, source] = db.marker;
      return { recordset: [{ run_id, created_at, source }] };
    }
    return { rowsAffected: [1] };
  }
}
