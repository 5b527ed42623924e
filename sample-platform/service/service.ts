import { appendFileSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { UserError } from '../../src/errors.js';
import { createControlServer } from './control-server.js';
import { ServiceController } from './controller.js';
import type { PlatformDatabase } from './database/port.js';
import { openSqliteDatabase } from './database/sqlite.js';
import { describeTarget } from './database/target.js';
import type { DatabaseTarget } from './database/target.js';
import type { Fault, Release } from './releases.js';
import { STATEMENTS as S } from './statements.js';

export interface ServiceOptions {
  readonly database: DatabaseTarget;
  readonly socket: string;
  readonly release: Release;
  readonly faults: ReadonlySet<Fault>;
  /** File the service appends its log to; stderr when absent. */
  readonly log?: string;
}

function makeLogger(file: string | undefined): (message: string) => void {
  return (message) => {
    const line = `${new Date().toISOString()} ${message}\n`;
    if (file) appendFileSync(file, line);
    else process.stderr.write(line);
  };
}

async function openPlatformDatabase(target: DatabaseTarget): Promise<PlatformDatabase> {
  let db: PlatformDatabase;
  if (target.engine === 'sqlite') {
    if (!existsSync(target.path)) throw new UserError(`No database at ${target.path}. Pass --db with a sample platform SQLite file.`);
    db = openSqliteDatabase(target.path);
  } else {
    // Loaded only for SQL Server: the mssql driver costs every SQLite bill run most of a second to start.
    const { openMssqlDatabase } = await import('./database/mssql.js');
    db = await openMssqlDatabase({ connectionString: target.connectionString, source: `environment variable ${target.variable}` });
  }
  if (!(await db.get(S.platformInfoTable))) {
    await db.close();
    throw new UserError(
      `${describeTarget(target)} is not a sample platform database (it has no platform_info table). ` +
        'Generate one with the sample generator (and load it with load-into-mssql for SQL Server).',
    );
  }
  return db;
}

/** Only a socket left behind by an earlier service is removed; any other file at the path is an error. */
function clearStaleSocket(path: string): void {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) {
    throw new UserError(`${path} exists and is not a socket. Choose another --socket path.`);
  }
  unlinkSync(path);
}

/**
 * Runs the billing service until it is told to stop (or gets SIGTERM/SIGINT): opens the database,
 * listens on the control socket, and resolves once everything is closed.
 */
export async function runService(options: ServiceOptions): Promise<void> {
  const log = makeLogger(options.log);
  const db = await openPlatformDatabase(options.database);
  const controller = new ServiceController(db, options.release, options.faults, log);
  let stopping: Promise<void> | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));

  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${why})`);
      server.close();
      await controller.stop();
      await db.close();
      log('stopped; database closed');
      finished();
    })();
    return stopping;
  };
  const server = createControlServer({
    handle: (request) => controller.handle(request),
    stop: () => void stop('stop command'),
    onUnexpected: (error) => log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });

  clearStaleSocket(options.socket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socket, () => resolve());
  });
  const faults = [...options.faults];
  log(
    `release ${options.release.name} ${options.release.version} billing ${describeTarget(options.database)}, ` +
      `listening on ${options.socket}${faults.length ? ` with faults ${faults.join(',')}` : ''}`,
  );
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await done;
}
