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
  readonly databases = new Map<string, { marker?: string[]; tables: Set<string> }>();
  readonly log: { database: string; text: string }[] = [];
  readonly connectedTo: string[] = [];

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
      if (text.startsWith('RESTORE FILELISTONLY')) return { recordset: [{ LogicalName: 'billing', Type: 'D' }, { LogicalName: 'billing_log', Type: 'L' }] };
      if (text.startsWith('SELECT CAST(SERVERPROPERTY')) return { recordset: [{ data_path: '/var/opt/mssql/data/', log_path: '/var/opt/mssql/log/' }] };
      if (text.startsWith('RESTORE DATABASE')) {
        this.databases.set(String(first), { tables: new Set() });
        return {};
      }
      const drop = /^DROP DATABASE \[(.+)\]$/.exec(text);
      if (drop?.[1] !== undefined) this.databases.delete(drop[1].replaceAll(']]', ']'));
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
