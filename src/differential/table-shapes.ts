import type Database from 'better-sqlite3';

/** A foreign key from one column to a column of another table. */
export interface ForeignKey {
  readonly column: string;
  readonly table: string;
  readonly references: string;
}

/** What the differential needs to know of a table: its columns, key, references and natural keys. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** True when the key is a single integer column the engine numbers: it names a row, it says nothing about it. */
  readonly surrogateKey: boolean;
  readonly foreignKeys: readonly ForeignKey[];
  /** Unique column sets other than the primary key, in declaration order: how a new row is known across databases. */
  readonly uniqueKeys: readonly (readonly string[])[];
  /** The schema that holds the table, where the engine has schemas (SQL Server). */
  readonly schema?: string;
  /** Each column's type by name, where the engine's types are fixed per column (SQL Server): a changed type is a schema change. */
  readonly columnTypes?: ReadonlyMap<string, string>;
}

interface PragmaColumn {
  name: string;
  type: string;
  pk: number;
}

/** Tables of one attached schema (`main`, `pre`, …), read from SQLite's own catalogue. */
export function readTableShapes(db: Database.Database, schema: string, skip: (table: string) => boolean): TableShape[] {
  const names = db
    .prepare(`SELECT name FROM "${schema}".sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .pluck()
    .all() as string[];
  return names.filter((name) => !skip(name)).map((name) => readShape(db, schema, name));
}

function readShape(db: Database.Database, schema: string, name: string): TableShape {
  const columns = db.prepare(`SELECT name, type, pk FROM pragma_table_info(?, ?) ORDER BY cid`).all(name, schema) as PragmaColumn[];
  const primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const keyColumn = columns.find((c) => c.pk === 1);
  const foreignKeys = (db.prepare(`SELECT "from", "table", "to" FROM pragma_foreign_key_list(?, ?)`).all(name, schema) as { from: string; table: string; to: string | null }[])
    .map((fk) => ({ column: fk.from, table: fk.table, references: fk.to ?? 'rowid' }));
  const uniqueIndexes = (db.prepare(`SELECT name, origin FROM pragma_index_list(?, ?) WHERE "unique" = 1 AND origin <> 'pk' ORDER BY seq DESC`).all(name, schema) as { name: string }[])
    .map((index) => db.prepare(`SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno`).pluck().all(index.name, schema) as (string | null)[])
    .filter((cols): cols is string[] => cols.length > 0 && cols.every((c) => c !== null));
  return {
    name,
    columns: columns.map((c) => c.name),
    primaryKey,
    surrogateKey: primaryKey.length === 1 && keyColumn !== undefined && /^integer$/i.test(keyColumn.type),
    foreignKeys,
    uniqueKeys: uniqueIndexes,
  };
}
