/**
 * The sample platform's billing service: `tsx sample-platform/service/main.ts --db <file> | --mssql-connection-env <VAR>
 * --socket <path> --release production|candidate [--faults a,b] [--log <file>]`.
 * Controlled only through newline-delimited JSON on the Unix socket (see sample-platform/README.md).
 */
import { Command } from 'commander';
import { UserError } from '../../src/errors.js';
import { databaseTarget } from './database/target.js';
import { parseFaults, parseRelease } from './releases.js';
import { runService } from './service.js';

const program = new Command()
  .name('sample-billing-service')
  .option('--db <file>', 'sample platform SQLite database to bill')
  .option('--mssql-connection-env <VAR>', 'bill SQL Server instead: the environment variable holding the connection string')
  .requiredOption('--socket <path>', 'Unix socket to listen on for control requests')
  .requiredOption('--release <name>', 'production (7.4.2) or candidate (7.5.0)')
  .option('--faults <list>', 'candidate only: comma-separated fault switches', '')
  .option('--log <file>', 'append the service log to this file instead of stderr')
  .option('--exit-with-stdin', 'stop when stdin closes: the process that started the service is gone')
  .parse();

const options = program.opts<{ db?: string; mssqlConnectionEnv?: string; socket: string; release: string; faults: string; log?: string; exitWithStdin?: boolean }>();

/** How long a graceful stop may take once the parent is gone, before the service just exits. */
const ORPHAN_STOP_MS = 10_000;

if (options.exitWithStdin === true) {
  // SIGTERM to itself: a graceful stop once the service listens, the default exit before that.
  const orphaned = (): void => {
    setTimeout(() => process.exit(1), ORPHAN_STOP_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.once('end', orphaned);
  process.stdin.once('error', orphaned);
  process.stdin.resume();
}

try {
  const release = parseRelease(options.release);
  const faults = parseFaults(release, options.faults.split(','));
  const database = databaseTarget(options, process.env);
  await runService({ database, socket: options.socket, release, faults, log: options.log });
  process.exit(0);
} catch (error) {
  if (error instanceof UserError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  throw error;
}
