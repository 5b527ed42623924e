import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { parseFaults, parseRelease, type Fault } from '../service/releases.js';

/**
 * What the sample's portal, import and jobs are told by whoever starts them: the release and its
 * regression switches (`REHEARSAL_RELEASE`, `REHEARSAL_SWITCHES`), and the SQLite database
 * (`REHEARSAL_DATABASE_PATH`). They are the stand-in's own programs, SQLite only.
 */
export interface AppOptions {
  readonly db: Database.Database;
  readonly faults: ReadonlySet<Fault>;
}

export function appOptions(env: NodeJS.ProcessEnv = process.env): AppOptions {
  const path = env.REHEARSAL_DATABASE_PATH;
  if (path === undefined || path === '') throw new UserError("The sample platform's portal, import and jobs run on SQLite only: set REHEARSAL_DATABASE_PATH to the database file.");
  const release = parseRelease(env.REHEARSAL_RELEASE ?? 'production');
  const faults = parseFaults(release, (env.REHEARSAL_SWITCHES ?? '').split(','));
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return { db, faults };
}

/** Runs an app's main, printing a UserError as one line with its exit code. */
export async function runApp(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error.exitCode);
    }
    throw error;
  }
}
