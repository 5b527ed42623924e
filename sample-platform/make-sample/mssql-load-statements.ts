import { tsqlDialect } from '../../src/sql/tsql.js';

/**
 * The T-SQL the loader sends, built here so tests can lint and parse every text. Identifiers are
 * bracket-quoted by the product's T-SQL dialect; values are always `@pN` parameters.
 */

const q = (name: string): string => tsqlDialect.quoteIdentifier(name);

/** SQL Server allows 2,100 parameters a request and 1,000 rows a VALUES list; stay under both. */
const MAX_PARAMETERS = 2000;
const MAX_VALUES_ROWS = 1000;

/** Rows per INSERT for a table of `columns` columns. */
export function rowsPerInsert(columns: number): number {
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`a table has at least one column, not ${columns}`);
  return Math.max(1, Math.min(MAX_VALUES_ROWS, Math.floor(MAX_PARAMETERS / columns)));
}

export function databaseIdQuery(): string {
  return 'SELECT DB_ID(@p0) AS database_id';
}

/**
 * Binary collation: text compares and sorts by code point, as in SQLite, so ORDER BY, string
 * aggregates and comparisons give the same answers on both engines.
 */
export function createDatabaseStatement(database: string): string {
  return `CREATE DATABASE ${q(database)} COLLATE Latin1_General_100_BIN2`;
}

export function identityTablesQuery(): string {
  return 'SELECT t.name AS table_name FROM sys.identity_columns c JOIN sys.tables t ON t.object_id = c.object_id';
}

/**
 * `INSERT INTO [t] ([a], [b]) VALUES (@p0, @p1), (@p2, @p3)...` for `rows` rows. With `keepIds`
 * the ids given are kept: IDENTITY_INSERT is switched on and off in the same text because mssql
 * sends it through sp_executesql, and a SET made there ends with that call.
 */
export function insertStatement(table: string, columns: readonly string[], rows: number, keepIds = false): string {
  if (rows * columns.length > MAX_PARAMETERS || rows > MAX_VALUES_ROWS) {
    throw new Error(`${rows} rows of ${columns.length} columns do not fit one INSERT (at most ${MAX_VALUES_ROWS} rows, ${MAX_PARAMETERS} values)`);
  }
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    tuples.push(`(${columns.map((_, c) => `@p${r * columns.length + c}`).join(', ')})`);
  }
  const insert = `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`;
  return keepIds ? `SET IDENTITY_INSERT ${q(table)} ON; ${insert}; SET IDENTITY_INSERT ${q(table)} OFF;` : insert;
}

/** COPY_ONLY leaves the server's backup chain alone; CHECKSUM lets a restore verify the pages. */
export function backupStatement(database: string): string {
  return `BACKUP DATABASE ${q(database)} TO DISK = @p0 WITH COPY_ONLY, INIT, CHECKSUM`;
}

/** Table names in the order schema.mssql.sql creates them, which is an order foreign keys allow. */
export function tablesInSchema(schemaText: string): string[] {
  return [...schemaText.matchAll(/^CREATE TABLE (\w+)/gm)].map((m) => m[1] as string);
}
