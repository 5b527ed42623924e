import type { DatabaseEngine, Row } from '../engine/types.js';
import { ident, sql, type Fragment } from '../sql/fragment.js';
import type { ForeignKey, TableShape } from './table-shapes.js';

/**
 * The catalogue queries that give the differential a database's table shapes on SQL Server, read
 * through three-part names (`[db].sys.tables`) so one connection reads all three databases. Only
 * the default schema of the login is read: it is where the platform's unqualified names resolve,
 * as in the engine's own table listing.
 */
export function tableShapeQueries(database: string): { columns: Fragment; uniqueKeys: Fragment; foreignKeys: Fragment } {
  const sys = (view: string) => ident(database, 'sys', view);
  const ownTables = sql`JOIN ${sys('schemas')} s ON s.schema_id = t.schema_id WHERE s.name = SCHEMA_NAME() AND t.is_ms_shipped = 0`;
  return {
    // key_ordinal is the column's place in the primary key (NULL outside it).
    columns: sql`SELECT t.name AS table_name, s.name AS schema_name, c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.collation_name, c.is_identity, ic.key_ordinal FROM ${sys('tables')} t JOIN ${sys('columns')} c ON c.object_id = t.object_id LEFT JOIN ${sys('indexes')} i ON i.object_id = t.object_id AND i.is_primary_key = 1 LEFT JOIN ${sys('index_columns')} ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id ${ownTables} ORDER BY t.name, c.column_id`,
    // A filtered unique index is unique only over its filter, so it cannot name a row.
    uniqueKeys: sql`SELECT t.name AS table_name, i.index_id, c.name AS column_name FROM ${sys('tables')} t JOIN ${sys('indexes')} i ON i.object_id = t.object_id AND i.is_unique = 1 AND i.is_primary_key = 0 AND i.has_filter = 0 JOIN ${sys('index_columns')} ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0 JOIN ${sys('columns')} c ON c.object_id = ic.object_id AND c.column_id = ic.column_id ${ownTables} ORDER BY t.name, i.index_id, ic.key_ordinal`,
    foreignKeys: sql`SELECT t.name AS table_name, pc.name AS column_name, rt.name AS referenced_table, rc.name AS referenced_column FROM ${sys('foreign_keys')} fk JOIN ${sys('foreign_key_columns')} fkc ON fkc.constraint_object_id = fk.object_id JOIN ${sys('tables')} t ON t.object_id = fk.parent_object_id JOIN ${sys('columns')} pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id JOIN ${sys('tables')} rt ON rt.object_id = fk.referenced_object_id JOIN ${sys('columns')} rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id ${ownTables} ORDER BY t.name, fk.object_id, fkc.constraint_column_id`,
  };
}

/** The SQL Server type name of a column as the shape holds it (`columnTypes`): the name first, then size, precision, scale and collation. */
export function baseType(described: string | undefined): string {
  return (described ?? '').split(' ')[0] ?? '';
}

/** Tables of one database on the server, read from its catalogue views. */
export async function readTableShapesTsql(engine: DatabaseEngine, database: string, skip: (table: string) => boolean): Promise<TableShape[]> {
  const queries = tableShapeQueries(database);
  return assembleShapes(await engine.query(queries.columns), await engine.query(queries.uniqueKeys), await engine.query(queries.foreignKeys), skip);
}

/** The catalogue's rows as shapes: one per table, columns in their declared order. */
export function assembleShapes(columns: readonly Row[], uniqueKeys: readonly Row[], foreignKeys: readonly Row[], skip: (table: string) => boolean): TableShape[] {
  interface Building { name: string; schema: string; columns: string[]; types: Map<string, string>; key: { column: string; ordinal: number; identity: boolean }[]; unique: Map<number, string[]>; foreignKeys: ForeignKey[] }
  const tables = new Map<string, Building>();
  for (const row of columns) {
    const name = String(row['table_name']);
    if (skip(name)) continue;
    let table = tables.get(name);
    if (table === undefined) {
      table = { name, schema: String(row['schema_name']), columns: [], types: new Map(), key: [], unique: new Map(), foreignKeys: [] };
      tables.set(name, table);
    }
    const column = String(row['column_name']);
    table.columns.push(column);
    table.types.set(column, [row['type_name'], row['max_length'], row['precision'], row['scale'], row['collation_name'] ?? '-'].map(String).join(' '));
    if (row['key_ordinal'] !== null && row['key_ordinal'] !== undefined) table.key.push({ column, ordinal: Number(row['key_ordinal']), identity: Boolean(row['is_identity']) });
  }
  for (const row of uniqueKeys) {
    const table = tables.get(String(row['table_name']));
    if (table === undefined) continue;
    const index = Number(row['index_id']);
    table.unique.set(index, [...(table.unique.get(index) ?? []), String(row['column_name'])]);
  }
  for (const row of foreignKeys) {
    tables.get(String(row['table_name']))?.foreignKeys.push({ column: String(row['column_name']), table: String(row['referenced_table']), references: String(row['referenced_column']) });
  }
  return [...tables.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => {
      const key = [...t.key].sort((a, b) => a.ordinal - b.ordinal);
      return {
        name: t.name,
        schema: t.schema,
        columns: t.columns,
        primaryKey: key.map((k) => k.column),
        // An IDENTITY key is numbered by the engine, like SQLite's INTEGER PRIMARY KEY.
        surrogateKey: key.length === 1 && key[0]?.identity === true,
        foreignKeys: t.foreignKeys,
        uniqueKeys: [...t.unique.entries()].sort(([a], [b]) => a - b).map(([, cols]) => cols),
        columnTypes: t.types,
      };
    });
}
