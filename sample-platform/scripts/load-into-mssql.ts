#!/usr/bin/env -S npx tsx
// Thin entry point: copies a sample's snapshot.db and production-result.db into two new SQL Server
// databases, optionally backing each up to a .bak (see make-sample/load-into-mssql.ts).
import { argv, echo } from 'zx';
import { UserError } from '../../src/errors.js';
import { loadIntoMssql } from '../make-sample/load-into-mssql.js';

const usage = `usage: REHEARSAL_MSSQL_ADMIN='Server=host,1433;User Id=...;Password=...;Encrypt=true' \\
  tsx sample-platform/scripts/load-into-mssql.ts --sample samples/sample-2000 --connection-env REHEARSAL_MSSQL_ADMIN \\
  [--name sample] [--backup-dir /var/opt/mssql/backup]

Creates <name>_snapshot and <name>_production_result (refusing names that exist), copies the two
SQLite files into them, and with --backup-dir (a folder as the SQL Server service sees it) writes
<backup-dir>/<database>.bak for each. The connection string is read from the variable named by
--connection-env, never from the command line.`;

try {
  if (argv.help) {
    echo(usage);
  } else {
    if (argv.sample === undefined || argv['connection-env'] === undefined) throw new UserError(`Missing an option.\n${usage}`);
    const variable = String(argv['connection-env']);
    const connectionString = process.env[variable];
    if (connectionString === undefined || connectionString.trim() === '') {
      throw new UserError(`The environment variable ${variable} named by --connection-env is not set or empty; put the SQL Server connection string in it.`);
    }
    const name = String(argv.name ?? 'sample');
    const loaded = await loadIntoMssql({
      sample: String(argv.sample),
      connectionString,
      connectionSource: `environment variable ${variable}`,
      snapshotDatabase: `${name}_snapshot`,
      productionResultDatabase: `${name}_production_result`,
      ...(argv['backup-dir'] !== undefined ? { backupDir: String(argv['backup-dir']) } : {}),
      progress: (line) => echo(line),
    });
    for (const copy of loaded) echo(`${copy.database}: ${copy.rows} rows from ${copy.source}${copy.backup ? `, backup ${copy.backup}` : ''}`);
  }
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  echo(error.message);
  process.exitCode = error.exitCode;
}
