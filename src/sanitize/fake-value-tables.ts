import { sql, ident, join, keyword, type Fragment } from '../sql/fragment.js';
import { FAKE_KINDS, fakeTableName } from './fake-values.js';
import type { Masker } from './maskers.js';

/**
 * SQL Server takes at most 1,000 rows in one VALUES list and 2,100 parameters in one request;
 * one parameter per row keeps well inside both.
 */
export const TSQL_ROWS_PER_INSERT = 1000;

/**
 * Creates and fills one table per kind of fake value. SQLite reads the list from one JSON
 * parameter. SQL Server gets plain multi-row INSERT ... VALUES batches with one parameter per
 * value: OPENJSON would be shorter but exists only at database compatibility level 130 and up,
 * and a restored production database is often older; 16,384 short rows load in a few requests
 * either way.
 */
export function fakeValueStatements(dialect: 'sqlite' | 'tsql', masker: Masker): Fragment[] {
  const textType = dialect === 'tsql' ? sql`NVARCHAR(400)` : sql`TEXT`;
  return FAKE_KINDS.flatMap((kind) => {
    const table = ident(fakeTableName(kind));
    const values = masker.keys.fakeValues[kind];
    const create = sql`CREATE TABLE ${table} (${ident('idx')} INTEGER NOT NULL PRIMARY KEY, ${ident('value')} ${textType} NOT NULL)`;
    const into = sql`INSERT INTO ${table} (${ident('idx')}, ${ident('value')})`;
    if (dialect === 'sqlite') return [create, sql`${into} SELECT ${ident('key')}, ${ident('value')} FROM json_each(${JSON.stringify(values)})`];
    const inserts: Fragment[] = [];
    for (let start = 0; start < values.length; start += TSQL_ROWS_PER_INSERT) {
      // The index is a loop counter written by the product; the value, from faker, is a parameter.
      const rows = values.slice(start, start + TSQL_ROWS_PER_INSERT).map((value, i) => sql`(${keyword(String(start + i))}, ${value})`);
      inserts.push(sql`${into} VALUES ${join(rows, ', ')}`);
    }
    return [create, ...inserts];
  });
}
