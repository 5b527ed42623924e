import { createRequire } from 'node:module';
import type * as Mssql from 'mssql';

const require = createRequire(import.meta.url);

/** The mssql driver, loaded on first use: a SQLite rehearsal, and every command start, never pays for it. */
export function mssqlDriver(): typeof Mssql {
  return require('mssql') as typeof Mssql;
}
