import Database from 'better-sqlite3';
import type { Fragment, SqlValue } from '../sql/fragment.js';
import { sqliteDialect } from '../sql/dialect.js';
import type { DatabaseEngine, ExecResult, Row, TableInfo } from './types.js';
import { UserError } from '../errors.js';

const TEXT_TYPES = /char|clob|text|^$/i;

/** The embedded engine: one better-sqlite3 connection per run. */
export class SqliteEngine implements DatabaseEngine {
  readonly kind = 'sqlite' as const;
  readonly dialect = sqliteDialect;
  readonly description: string;
  private readonly db: Database.Database;
  private inTransaction = false;

  private constructor(db: Database.Database, description: string) {
    this.db = db;
    this.description = description;
  }

  static open(path: string, options: { readonly?: boolean } = {}): SqliteEngine {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: true });
    } catch (error) {
      throw new UserError(
        `Cannot open SQLite database ${path}: ${(error as Error).message}. Check that the file exists and is a SQLite database.`,
      );
    }
    db.pragma('foreign_keys = OFF');
    return new SqliteEngine(db, `SQLite database ${path}`);
  }

  /** Escape hatch for SQLite-only work (registering masking functions); nothing else uses it. */
  get connection(): Database.Database {
    return this.db;
  }

  private prepare(statement: Fragment): { stmt: Database.Statement; params: Record<string, SqlValue> } {
    const { text, params } = this.dialect.render(statement);
    const bound: Record<string, SqlValue> = {};
    for (const [k, v] of Object.entries(params)) bound[k] = typeof v === 'boolean' ? Number(v) : v;
    return { stmt: this.db.prepare(text), params: bound };
  }

  async query<T extends Row = Row>(statement: Fragment): Promise<T[]> {
    const { stmt, params } = this.prepare(statement);
    return stmt.all(params) as T[];
  }

  async exec(statement: Fragment): Promise<ExecResult> {
    const { stmt, params } = this.prepare(statement);
    if (stmt.reader) {
      stmt.all(params);
      return { rowsAffected: 0 };
    }
    return { rowsAffected: stmt.run(params).changes };
  }

  async *stream<T extends Row = Row>(statement: Fragment): AsyncIterable<T> {
    const { stmt, params } = this.prepare(statement);
    for (const row of stmt.iterate(params)) yield row as T;
  }

  async transaction<T>(work: (tx: DatabaseEngine) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    this.db.exec('BEGIN IMMEDIATE');
    this.inTransaction = true;
    try {
      const result = await work(this);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  async tables(): Promise<TableInfo[]> {
    const names = this.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    return names.map((name) => ({
      name,
      columns: (this.db.prepare('SELECT name, type FROM pragma_table_info(?)').all(name) as { name: string; type: string }[]).map(
        (c) => ({ name: c.name, type: c.type.toLowerCase(), isText: TEXT_TYPES.test(c.type) }),
      ),
    }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
