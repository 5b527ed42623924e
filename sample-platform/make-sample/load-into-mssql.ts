import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { openMssqlDatabase } from '../service/database/mssql.js';
import type { MssqlDatabase, MssqlOpenOptions } from '../service/database/mssql.js';
import type { SqlValue } from '../service/database/port.js';
import {
  backupStatement, createDatabaseStatement, databaseIdQuery, identityTablesQuery, insertStatement, rowsPerInsert, tablesInSchema,
} from './mssql-load-statements.js';

const MSSQL_SCHEMA = fileURLToPath(new URL('../schema/schema.mssql.sql', import.meta.url));

const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

export interface LoadIntoMssqlOptions {
  /** Folder holding snapshot.db and production-result.db (made by make-sample). */
  readonly sample: string;
  readonly connectionString: string;
  /** Where the connection string came from, for messages. */
  readonly connectionSource: string;
  readonly snapshotDatabase: string;
  readonly productionResultDatabase: string;
  /** Folder, as the SQL Server service sees it, that receives `<database>.bak` for each copy. */
  readonly backupDir?: string;
  readonly progress?: (line: string) => void;
  /** Stands in for `mssql`'s ConnectionPool in tests. */
  readonly createPool?: MssqlOpenOptions['createPool'];
}

export interface LoadedDatabase {
  readonly source: string;
  readonly database: string;
  readonly rows: number;
  /** Path of the backup as the server wrote it. */
  readonly backup?: string;
}

/**
 * Copies a generated sample into two new SQL Server databases, ids and all, so a rehearsal can
 * restore the snapshot natively and compare with production's result. Never touches a database
 * that already exists; the SQLite files are only read.
 */
export async function loadIntoMssql(options: LoadIntoMssqlOptions): Promise<LoadedDatabase[]> {
  const say = options.progress ?? (() => undefined);
  const copies = [
    { source: join(options.sample, 'snapshot.db'), database: options.snapshotDatabase },
    { source: join(options.sample, 'production-result.db'), database: options.productionResultDatabase },
  ];
  for (const { source, database } of copies) {
    if (!existsSync(source)) throw new UserError(`${source} is missing. Make the sample first: tsx sample-platform/scripts/make-sample.ts ... --out ${options.sample}`);
    checkDatabaseName(database);
  }
  if (options.snapshotDatabase === options.productionResultDatabase) {
    throw new UserError(`The snapshot and production result need two databases, but both are named ${options.snapshotDatabase}.`);
  }
  const schema = readFileSync(MSSQL_SCHEMA, 'utf8');
  const open = (database: string): Promise<MssqlDatabase> =>
    openMssqlDatabase({
      connectionString: options.connectionString,
      source: options.connectionSource,
      database,
      ...(options.createPool ? { createPool: options.createPool } : {}),
    });

  const server = await open('master');
  const loaded: LoadedDatabase[] = [];
  try {
    for (const { database } of copies) {
      const [existing] = (await server.execute(databaseIdQuery(), [database])).recordset ?? [];
      if (existing?.database_id !== null && existing?.database_id !== undefined) {
        throw new UserError(`Database ${database} already exists on the server. The loader never writes into an existing database: drop it or choose another name.`);
      }
    }
    for (const { source, database } of copies) {
      say(`Creating ${database} and copying ${source} into it...`);
      await server.execute(createDatabaseStatement(database), []);
      const target = await open(database);
      let rows: number;
      try {
        await target.execute(schema, []);
        rows = await copyTables(source, target, tablesInSchema(schema), say);
      } finally {
        await target.close();
      }
      let backup: string | undefined;
      if (options.backupDir !== undefined) {
        backup = joinServerPath(options.backupDir, `${database}.bak`);
        say(`Backing up ${database} to ${backup}...`);
        await server.execute(backupStatement(database), [backup]);
      }
      loaded.push({ source, database, rows, ...(backup !== undefined ? { backup } : {}) });
    }
  } finally {
    await server.close();
  }
  return loaded;
}

function checkDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new UserError(`${JSON.stringify(name.slice(0, 40))} cannot name the new database: use a letter, then up to 99 letters, digits or _.`);
  }
}

async function copyTables(source: string, target: MssqlDatabase, tables: readonly string[], say: (line: string) => void): Promise<number> {
  const sqlite = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const identity = new Set(
      ((await target.execute(identityTablesQuery(), [])).recordset ?? []).map((r) => String(r.table_name)),
    );
    const present = new Set(sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = tables.filter((t) => !present.has(t));
    if (missing.length > 0) throw new UserError(`${source} has no table ${missing.join(', ')}: it was not made by this sample generator.`);
    let total = 0;
    for (const table of tables) {
      const rows = await copyTable(sqlite, target, table, identity.has(table));
      say(`  ${table}: ${rows} rows`);
      total += rows;
    }
    return total;
  } finally {
    sqlite.close();
  }
}

/** Rows in rowid order, batched into multi-row INSERTs with every value a parameter. */
async function copyTable(sqlite: Database.Database, target: MssqlDatabase, table: string, keepIds: boolean): Promise<number> {
  const columns = sqlite.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table) as string[];
  const select = sqlite.prepare(`SELECT ${columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(', ')} FROM "${table}" ORDER BY rowid`).raw();
  const perInsert = rowsPerInsert(columns.length);
  const fullInsert = insertStatement(table, columns, perInsert, keepIds);
  let batch: SqlValue[][] = [];
  let copied = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const text = batch.length === perInsert ? fullInsert : insertStatement(table, columns, batch.length, keepIds);
    await target.execute(text, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of select.iterate() as Iterable<SqlValue[]>) {
    batch.push(row);
    if (batch.length === perInsert) await flush();
  }
  await flush();
  return copied;
}

/** Joins with the separator the server's own path uses (Windows or Linux SQL Server). */
function joinServerPath(folder: string, name: string): string {
  if (folder.endsWith('\\') || folder.endsWith('/')) return `${folder}${name}`;
  return `${folder}${folder.includes('\\') ? '\\' : '/'}${name}`;
}
