import { appendFileSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { createControlServer } from './control-server.js';
import { ServiceController } from './controller.js';
import type { Fault, Release } from './releases.js';

export interface ServiceOptions {
  readonly db: string;
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

function openPlatformDatabase(path: string): Database.Database {
  if (!existsSync(path)) throw new UserError(`No database at ${path}. Pass --db with a sample platform SQLite file.`);
  const db = new Database(path, { fileMustExist: true });
  // One transaction per account means a commit per account; without an fsync for each, a large
  // bill run takes minutes instead of hours. The file stays a rollback-journal database, and a
  // crash of the process (not of the machine) still cannot corrupt it.
  db.pragma('synchronous = OFF');
  const hasInfo = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'platform_info'").get();
  if (!hasInfo) {
    db.close();
    throw new UserError(`${path} is not a sample platform database (it has no platform_info table). Generate one with the sample generator.`);
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
  const db = openPlatformDatabase(options.db);
  const controller = new ServiceController(db, options.release, options.faults, log);
  let stopping: Promise<void> | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));

  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${why})`);
      server.close();
      await controller.stop();
      db.close();
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
  log(`release ${options.release.name} ${options.release.version} listening on ${options.socket}${faults.length ? ` with faults ${faults.join(',')}` : ''}`);
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await done;
}
