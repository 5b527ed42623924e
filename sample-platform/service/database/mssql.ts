import mssql from 'mssql';
import type { config as MssqlConfig, IResult, ISqlType } from 'mssql';
import { UserError } from '../../../src/errors.js';
import type { PlatformDatabase, SqlValue, Statement } from './port.js';

/** The part of `mssql` the adapter uses; tests stand a recording fake in its place. */
export interface MssqlRequest {
  input(name: string, type: ISqlType, value: unknown): unknown;
  query(text: string): Promise<IResult<Record<string, unknown>>>;
}

export interface MssqlRequestSource {
  request(): MssqlRequest;
}

export interface MssqlTransaction extends MssqlRequestSource {
  begin(): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface MssqlPool extends MssqlRequestSource {
  connect(): Promise<unknown>;
  transaction(): MssqlTransaction;
  close(): Promise<void>;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** Longest text bound as NVARCHAR(4000); longer goes as NVARCHAR(MAX). */
const NVARCHAR_LIMIT = 4000;

/**
 * The SQL type a value is bound with. Declared types keep SQL Server from compiling one plan per
 * string length, and INT matches the columns so comparisons stay index seeks.
 */
export function parameterType(value: SqlValue): ISqlType {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`cannot bind ${value}: the platform stores whole numbers only (cents, ids, minutes)`);
    return value >= INT_MIN && value <= INT_MAX ? mssql.Int() : mssql.BigInt();
  }
  // A NULL converts to any column type, so text is as good a type for it as any.
  if (value === null || value.length <= NVARCHAR_LIMIT) return mssql.NVarChar(NVARCHAR_LIMIT);
  return mssql.NVarChar(mssql.MAX);
}

/**
 * The port over an `mssql` ConnectionPool. Values go as typed inputs `@p0`, `@p1`... in the
 * order given; a transaction holds one connection and sends its statements one at a time on it.
 */
export class MssqlDatabase implements PlatformDatabase {
  readonly dialect = 'tsql' as const;

  constructor(
    private readonly pool: MssqlPool,
    private readonly source: MssqlRequestSource = pool,
    private readonly inTransaction = false,
  ) {}

  /** Sends T-SQL text with positional values; the loader uses it for statements of its own. */
  async execute(text: string, values: readonly SqlValue[]): Promise<IResult<Record<string, unknown>>> {
    const request = this.source.request();
    values.forEach((value, i) => request.input(`p${i}`, parameterType(value), value));
    return request.query(text);
  }

  async get<T>(statement: Statement, ...values: SqlValue[]): Promise<T | undefined> {
    const { recordset } = await this.execute(statement.tsql, values);
    return recordset?.[0] as T | undefined;
  }

  async all<T>(statement: Statement, ...values: SqlValue[]): Promise<T[]> {
    const { recordset } = await this.execute(statement.tsql, values);
    return (recordset ?? []) as T[];
  }

  async run(statement: Statement, ...values: SqlValue[]): Promise<number> {
    const { rowsAffected } = await this.execute(statement.tsql, values);
    return (rowsAffected ?? []).reduce((sum, n) => sum + n, 0);
  }

  async transaction<T>(work: (tx: MssqlDatabase) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    const transaction = this.pool.transaction();
    await transaction.begin();
    let result: T;
    try {
      result = await work(new MssqlDatabase(this.pool, transaction, true));
    } catch (error) {
      await transaction.rollback().catch(() => {
        // a severe error (or XACT_ABORT) has rolled back on the server already; the work's own
        // error is the one worth reporting
      });
      throw error;
    }
    await transaction.commit();
    return result;
  }

  /** Closes the pool; the handle given to transaction work does not own it. */
  async close(): Promise<void> {
    if (!this.inTransaction) await this.pool.close();
  }
}

export interface MssqlOpenOptions {
  readonly connectionString: string;
  /** Where the string came from, for messages, e.g. "environment variable REHEARSAL_PLATFORM_DB". */
  readonly source: string;
  /** Connect to this database instead of the connection string's. */
  readonly database?: string;
  /** Stands in for `new mssql.ConnectionPool(config)` in tests. */
  readonly createPool?: (config: MssqlConfig) => MssqlPool;
}

/** A host name, IPv4 or IPv6 address, optionally `\instance`: nothing that could be another key's value. */
const SERVER_NAME = /^[\w.:[\]-]+(\\[\w$-]+)?$/;

/** Per statement; a bill-run statement on a large database can run for a while, never for this long. */
const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Connects a pool with the connection string. Neither the string nor its password ever reaches
 * an error message: the driver's parse errors are dropped, its connect errors are scrubbed.
 */
export async function openMssqlDatabase(options: MssqlOpenOptions): Promise<MssqlDatabase> {
  let config: MssqlConfig;
  try {
    config = mssql.ConnectionPool.parseConnectionString(options.connectionString);
  } catch {
    config = { server: '' };
  }
  // An empty `Server=` makes the parser take the next key, password included, as the server name.
  if (typeof config.server !== 'string' || !SERVER_NAME.test(config.server)) {
    throw new UserError(
      `The SQL Server connection string in ${options.source} could not be read or names no server. ` +
        'Use the ADO form `Server=host,port;Database=name;User Id=user;Password=secret;Encrypt=true` ' +
        '(wrap a password containing `;` in braces: `Password={a;b}`).',
    );
  }
  const pool = (options.createPool ?? ((c) => new mssql.ConnectionPool(c)))({
    ...config,
    ...(options.database !== undefined ? { database: options.database } : {}),
    requestTimeout: REQUEST_TIMEOUT_MS,
    options: { ...config.options, appName: 'sample-billing-service' },
  });
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    const reason = redact(error instanceof Error ? error.message : String(error), [options.connectionString, config.password]);
    throw new UserError(`Could not connect to SQL Server ${config.server} with the connection string in ${options.source}: ${reason}`);
  }
  return new MssqlDatabase(pool);
}

/** Drivers lower-case host names in some messages, so the match ignores case. */
function redact(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret) out = out.replace(new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '***');
  }
  return out;
}
