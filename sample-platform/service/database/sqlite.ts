import Database from 'better-sqlite3';
import type { PlatformDatabase, SqlValue, Statement } from './port.js';

/**
 * The port over better-sqlite3. The calls stay synchronous underneath and each statement is
 * prepared once, so the SQLite bill run pays only for the promises around them.
 */
export class SqliteDatabase implements PlatformDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly prepared = new Map<Statement, Database.Statement>();
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  private prepare(statement: Statement): Database.Statement {
    let prepared = this.prepared.get(statement);
    if (!prepared) {
      prepared = this.db.prepare(statement.sqlite);
      this.prepared.set(statement, prepared);
    }
    return prepared;
  }

  async get<T>(statement: Statement, ...values: SqlValue[]): Promise<T | undefined> {
    return this.prepare(statement).get(...values) as T | undefined;
  }

  async all<T>(statement: Statement, ...values: SqlValue[]): Promise<T[]> {
    return this.prepare(statement).all(...values) as T[];
  }

  async run(statement: Statement, ...values: SqlValue[]): Promise<number> {
    return this.prepare(statement).run(...values).changes;
  }

  /** One connection, so the open transaction is the one every statement joins until it ends. */
  async transaction<T>(work: (tx: PlatformDatabase) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return work(this);
    this.begin.run();
    try {
      const result = await work(this);
      this.commit.run();
      return result;
    } finally {
      // Still open here only when the work or the commit threw.
      if (this.db.inTransaction) this.rollback.run();
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * Opens a sample platform SQLite file for billing. One transaction per account means a commit
 * per account; without an fsync for each, a large bill run takes minutes instead of hours. The
 * file stays a rollback-journal database, and a crash of the process (not of the machine) still
 * cannot corrupt it.
 */
export function openSqliteDatabase(path: string): SqliteDatabase {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('synchronous = OFF');
  return new SqliteDatabase(db);
}
