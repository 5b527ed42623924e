import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';

export type EngineWork<T> = (rehearsal: SqliteEngine, production: SqliteEngine) => Promise<T>;

/** Both databases opened read-only for `work`, and closed after it, whatever it does. */
export async function withEngines<T>(rehearsalPath: string, productionPath: string, work: EngineWork<T>): Promise<T> {
  const rehearsal = SqliteEngine.open(rehearsalPath, { readonly: true });
  const production = SqliteEngine.open(productionPath, { readonly: true });
  try {
    return await work(rehearsal, production);
  } finally {
    await rehearsal.close();
    await production.close();
  }
}

export interface ResultCopies {
  /** A writable copy of the source changed by `change`, as if a release had billed it. */
  changedCopy(name: string, change: (db: Database.Database) => void): string;
  /** A copy (or the source itself) against the unchanged source, as a check compares them. */
  withEngines<T>(rehearsalPath: string, work: EngineWork<T>): Promise<T>;
}

/** Copies of `source`, kept in `dir` (which the test cleans up), each one side of a comparison with it. */
export function resultCopies(source: string, dir: string): ResultCopies {
  return {
    changedCopy(name, change) {
      const path = join(dir, `${name}.db`);
      copyFileSync(source, path);
      const db = new Database(path);
      change(db);
      db.close();
      return path;
    },
    withEngines: (rehearsalPath, work) => withEngines(rehearsalPath, source, work),
  };
}
