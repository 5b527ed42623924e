import type { Fragment } from '../../sql/fragment.js';
import { tsqlDialect } from '../../sql/tsql.js';
import type { ColumnInfo, DatabaseEngine, ExecResult, Row, TableInfo } from '../types.js';
import { createMssqlPool, type CreatePool, type MssqlPool, type MssqlRequest, type MssqlRequestSource } from './driver.js';
import { DEFAULT_CONNECTION_TIMEOUT_MS, describeTarget, resolveConnection, type MssqlConnectionOptions, type MssqlTarget } from './config.js';
import { connectError } from './connect-error.js';
import { normalizeRow, parameterType } from './values.js';
import { streamRows } from './row-stream.js';
import { tableColumnsQuery } from './catalog-sql.js';

export interface MssqlEngineOptions extends MssqlConnectionOptions {
  /** Replaces `mssql`'s ConnectionPool; tests pass a fake. */
  readonly createPool?: CreatePool;
}

const TEXT_TYPES = new Set(['char', 'nchar', 'varchar', 'nvarchar', 'text', 'ntext']);

/** Opens the run's one connection pool and returns the engine over it. */
export async function createMssqlEngine(options: MssqlEngineOptions): Promise<MssqlEngine> {
  const { config, target, trustServerCertificate } = resolveConnection(options);
  const pool = (options.createPool ?? createMssqlPool)(config);
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    throw connectError(error, {
      target,
      login: config.user,
      source: options.connectionStringSource,
      trustServerCertificate,
      connectionTimeoutMs: config.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    });
  }
  return new MssqlEngine(pool, pool, target, false);
}

/**
 * SQL Server through `mssql`. Every statement is rendered by the T-SQL dialect; its `@pN`
 * values are bound as typed inputs. Inside `transaction()` the engine given to the work sends
 * its requests on the transaction's connection, one at a time as the driver requires.
 */
export class MssqlEngine implements DatabaseEngine {
  readonly kind = 'mssql' as const;
  readonly dialect = tsqlDialect;
  readonly description: string;

  constructor(
    private readonly pool: MssqlPool,
    private readonly source: MssqlRequestSource,
    readonly target: MssqlTarget,
    private readonly inTransaction: boolean,
  ) {
    this.description = describeTarget(target);
  }

  private prepare(statement: Fragment): { request: MssqlRequest; text: string; bound: number } {
    const { text, params } = this.dialect.render(statement);
    const request = this.source.request();
    const entries = Object.entries(params);
    for (const [name, value] of entries) request.input(name, parameterType(value), value);
    return { request, text, bound: entries.length };
  }

  /**
   * A statement without parameters goes as a plain batch, as sqlcmd sends it: vendor script
   * batches then behave as they do in SSMS (SET options and temp tables last the batch, not an
   * sp_executesql scope). With parameters it must go through sp_executesql.
   */
  private async run(statement: Fragment): Promise<{ recordset: Record<string, unknown>[]; rowsAffected: number[] }> {
    const { request, text, bound } = this.prepare(statement);
    const result = bound === 0 ? await request.batch(text) : await request.query(text);
    return { recordset: result.recordset ?? [], rowsAffected: result.rowsAffected ?? [] };
  }

  async query<T extends Row = Row>(statement: Fragment): Promise<T[]> {
    const { recordset } = await this.run(statement);
    return recordset.map((row) => normalizeRow(row) as T);
  }

  async exec(statement: Fragment): Promise<ExecResult> {
    const { rowsAffected } = await this.run(statement);
    return { rowsAffected: rowsAffected.reduce((sum, n) => sum + n, 0) };
  }

  stream<T extends Row = Row>(statement: Fragment): AsyncIterable<T> {
    const { request, text } = this.prepare(statement);
    return streamRows<T>(request, text);
  }

  async transaction<T>(work: (tx: DatabaseEngine) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    const transaction = this.pool.transaction();
    await transaction.begin();
    let result: T;
    try {
      result = await work(new MssqlEngine(this.pool, transaction, this.target, true));
    } catch (error) {
      await transaction.rollback().catch(() => {
        // an error of high severity (or XACT_ABORT) has already rolled the transaction back on
        // the server; the work's own error is the one worth reporting
      });
      throw error;
    }
    await transaction.commit();
    return result;
  }

  async tables(): Promise<TableInfo[]> {
    const rows = await this.query<{ table_name: string; column_name: string; data_type: string }>(tableColumnsQuery());
    const byTable = new Map<string, ColumnInfo[]>();
    for (const row of rows) {
      const type = row.data_type.toLowerCase();
      const columns = byTable.get(row.table_name) ?? [];
      columns.push({ name: row.column_name, type, isText: TEXT_TYPES.has(type) });
      byTable.set(row.table_name, columns);
    }
    return [...byTable].map(([name, columns]) => ({ name, columns }));
  }

  /** Closes the run's pool; the engine handed to transaction work does not own it. */
  async close(): Promise<void> {
    if (!this.inTransaction) await this.pool.close();
  }
}
