import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The mssql driver, loaded on first use: a SQLite rehearsal, and every command start, never pays for it. */
export function mssqlDriver(): typeof import('mssql') {
  return require('mssql') as typeof import('mssql');
}
