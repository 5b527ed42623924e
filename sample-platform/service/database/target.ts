import { UserError } from '../../../src/errors.js';

/** Which database the service bills: a SQLite file, or SQL Server through a connection string. */
export type DatabaseTarget =
  | { readonly engine: 'sqlite'; readonly path: string }
  | { readonly engine: 'mssql'; readonly connectionString: string; readonly variable: string };

export interface DatabaseOptions {
  readonly db?: string;
  readonly mssqlConnectionEnv?: string;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Exactly one of `--db` and `--mssql-connection-env`. The connection string itself comes only
 * from the environment: a command line is visible to every user of the machine and ends up in logs.
 */
export function databaseTarget(options: DatabaseOptions, env: Readonly<Record<string, string | undefined>>): DatabaseTarget {
  const { db, mssqlConnectionEnv: variable } = options;
  if (db !== undefined && variable !== undefined) {
    throw new UserError(
      'Pass either --db <file> or --mssql-connection-env <VAR>, not both: the service bills one database, ' +
        'a SQLite file given by --db or a SQL Server database whose connection string is in the environment variable named by --mssql-connection-env.',
    );
  }
  if (db !== undefined) return { engine: 'sqlite', path: db };
  if (variable === undefined) {
    throw new UserError(
      'Say which database to bill: --db <file> for a sample platform SQLite file, or --mssql-connection-env <VAR> ' +
        'with the SQL Server connection string in the environment variable VAR (it is never taken from the command line).',
    );
  }
  if (!VARIABLE_NAME.test(variable)) {
    // The value may be the connection string pasted by mistake, so it is not repeated here.
    throw new UserError(
      '--mssql-connection-env takes the name of an environment variable (letters, digits and _, e.g. REHEARSAL_PLATFORM_DB), ' +
        'not the connection string itself. Put the connection string in that variable and pass its name.',
    );
  }
  const connectionString = env[variable];
  if (connectionString === undefined || connectionString.trim() === '') {
    throw new UserError(
      `The environment variable ${variable} named by --mssql-connection-env is ${connectionString === undefined ? 'not set' : 'empty'}. ` +
        'Set it to the SQL Server connection string (e.g. `Server=host,1433;Database=billing;User Id=...;Password=...;Encrypt=true`) in the service\'s environment.',
    );
  }
  return { engine: 'mssql', connectionString, variable };
}

/** For the service log: never the connection string. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? `SQLite ${target.path}` : `SQL Server (connection string from ${target.variable})`;
}
