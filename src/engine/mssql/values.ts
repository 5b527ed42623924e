import { mssqlDriver } from './module.js';
import type { ISqlType } from 'mssql';
import type { SqlValue } from '../../sql/fragment.js';
import type { Row } from '../types.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/**
 * The SQL type each parameter is bound with, chosen from the JS value. Explicit types keep SQL
 * Server from guessing (mssql would send every string as NVarChar(len) and plans would multiply).
 */
export function parameterType(value: SqlValue): ISqlType {
  const mssql = mssqlDriver();
  if (value === null || typeof value === 'string') return mssql.NVarChar(mssql.MAX);
  if (typeof value === 'boolean') return mssql.Bit();
  if (typeof value === 'bigint') return mssql.BigInt();
  if (Buffer.isBuffer(value)) return mssql.VarBinary(mssql.MAX);
  if (!Number.isFinite(value)) throw new Error(`cannot bind ${value} as a SQL Server parameter: only finite numbers exist in SQL`);
  if (Number.isInteger(value)) return value >= INT_MIN && value <= INT_MAX ? mssql.Int() : mssql.BigInt();
  return mssql.Float();
}

/**
 * Rows in the shape both engines share. Dates become ISO text, as the product stores them on
 * SQLite; anything else the driver returns is passed through as a SqlValue.
 */
export function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? value.toISOString() : (value as SqlValue);
  return out;
}
