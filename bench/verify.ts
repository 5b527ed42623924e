import Database from 'better-sqlite3';
import { SqliteEngine } from '../src/engine/sqlite.js';
import { checkAgainstProduction } from '../src/checks/production-diff.js';
import { ownPeakKb, resetOwnPeak } from './process-memory.js';
import { forEachLedgerEntry } from '../src/sinkholes/ledger.js';
import { Profile } from '../src/platform/profile.js';
import { loadAdapter } from '../src/platform/load-adapter.js';

const SAMPLE_ADAPTER = new URL('../platforms/sample', import.meta.url).pathname;

/** Every table the production diff reads (invoice_items for charges by type, minute_buckets for pools). */
export const DIFF_TABLES = ['accounts', 'invoices', 'invoice_items', 'transactions', 'user_packages', 'packages', 'minute_buckets'] as const;

/** One full scan of both result databases: every row of every table the diff reads, streamed. */
export function scanResultTables(databases: readonly string[]): number {
  const started = performance.now();
  for (const path of databases) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      for (const table of DIFF_TABLES) for (const row of db.prepare(`SELECT * FROM "${table}"`).raw(true).iterate()) void row;
    } finally {
      db.close();
    }
  }
  return performance.now() - started;
}

/**
 * The full production diff (every account, every compared field) against one full scan of both
 * result databases in the same process, after a first scan warmed the page cache. The peak is
 * this process's high-water mark while the diff ran: the diff streams, so it must stay flat.
 */
export async function benchmarkVerify(rehearsalDb: string, productionDb: string, billDate: string): Promise<{ diffMs: number; scanMs: number; ratio: number; peakRssMb: number }> {
  scanResultTables([rehearsalDb, productionDb]);
  const scanMs = scanResultTables([rehearsalDb, productionDb]);
  const rehearsal = SqliteEngine.open(rehearsalDb, { readonly: true });
  const production = SqliteEngine.open(productionDb, { readonly: true });
  try {
    resetOwnPeak();
    const started = performance.now();
    await checkAgainstProduction(rehearsal, production, billDate, 0, new Profile(loadAdapter(SAMPLE_ADAPTER)));
    const diffMs = performance.now() - started;
    return { diffMs, scanMs, ratio: diffMs / scanMs, peakRssMb: ownPeakKb() / 1024 };
  } finally {
    await rehearsal.close();
    await production.close();
  }
}

/** One full scan of every table of each database: what the state differential reads, at least once each. */
export function scanEveryTable(databases: readonly string[]): number {
  const started = performance.now();
  for (const path of databases) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
      for (const table of tables) for (const row of db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).raw(true).iterate()) void row;
    } finally {
      db.close();
    }
  }
  return performance.now() - started;
}

/** One read of each ledger, every line parsed: the least the outbound differential must do. */
export function readLedgers(files: readonly (string | undefined)[]): number {
  const started = performance.now();
  let entries = 0;
  for (const file of files) if (file !== undefined) forEachLedgerEntry(file, undefined, () => void entries++);
  return performance.now() - started;
}
