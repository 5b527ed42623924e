import type { Fragment, SqlValue } from '../sql/fragment.js';
import type { Dialect } from '../sql/dialect.js';

export type EngineKind = 'sqlite' | 'mssql';

export type Row = Record<string, SqlValue>;

export interface ExecResult {
  /** Rows affected, per statement where the engine reports them. */
  readonly rowsAffected: number;
}

export interface ColumnInfo {
  readonly name: string;
  /** Declared type as the engine reports it, lower case (e.g. `text`, `nvarchar`, `integer`). */
  readonly type: string;
  readonly isText: boolean;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
}

/**
 * One database connection (or pool) per run. Every statement is a Fragment built with the `sql`
 * tag and rendered by the engine's dialect, so both engines accept the same product code.
 */
export interface DatabaseEngine {
  readonly kind: EngineKind;
  readonly dialect: Dialect;
  /** A name for messages (file name or server/database), never a connection string. */
  readonly description: string;
  query<T extends Row = Row>(statement: Fragment): Promise<T[]>;
  exec(statement: Fragment): Promise<ExecResult>;
  /** Rows one at a time; the engine reads ahead no more than it must (back-pressure). */
  stream<T extends Row = Row>(statement: Fragment): AsyncIterable<T>;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: DatabaseEngine) => Promise<T>): Promise<T>;
  tables(): Promise<TableInfo[]>;
  close(): Promise<void>;
}
