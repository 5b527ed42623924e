import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { childEnvironment } from '../../src/runtime/child-environment.js';
import { PRODUCTION_BILL_RUN_CONFIGURATION } from '../generator/catalogue.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = join(REPO_ROOT, 'engageip-shaped-platform', 'control', 'service-with-capture.ts');
const POLL_MS = 100;

export interface ProductionRun {
  readonly db: string;
  readonly billDate: string;
  readonly log: string;
  /** The capture's environment (CA to trust, setup file). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly onProgress?: (processed: number, total: number) => void;
}

interface RequestRow {
  readonly Status: string;
  readonly Processed: number;
  readonly Total: number;
  readonly ErrorMessage: string | null;
}

/**
 * Bills `db` with the production release the way the platform is driven: its service polls the
 * database inside a fresh network and mount namespace with the capture servers, a bill-run request
 * row asks for the run (mail, auto-pay and provisioning on, with production's configuration, as production ran it), the row is read
 * back until the run ends, then the service is stopped.
 */
export async function billProduction(run: ProductionRun): Promise<RequestRow & { exitCode: number | null }> {
  const log = openSync(run.log, 'a');
  const child = spawn('unshare', ['--net', '--mount', '--', process.execPath, '--import', 'tsx', ENTRY, '--db', run.db, '--release', 'production'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', log, log],
    env: childEnvironment(run.env),
  });
  closeSync(log);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const db = new Database(run.db, { timeout: 10_000 });
  try {
    const id = Number(db.prepare("INSERT INTO [BillRunRequest] ([BillDate], [EmailInvoices], [ChargeAutoPay], [Provision], [Configuration], [Status], [RequestedDate]) VALUES (?, 1, 1, 1, ?, 'Pending', ?)")
      .run(run.billDate, JSON.stringify(PRODUCTION_BILL_RUN_CONFIGURATION), new Date().toISOString().replace('T', ' ').slice(0, 19)).lastInsertRowid);
    const read = db.prepare('SELECT [Status], [Processed], [Total], [ErrorMessage] FROM [BillRunRequest] WHERE [ID] = ?');
    const deadline = Date.now() + run.timeoutMs;
    let row = read.get(id) as RequestRow;
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    while ((row.Status === 'Pending' || row.Status === 'Running') && Date.now() < deadline && exitCode === undefined) {
      run.onProgress?.(row.Processed, row.Total);
      await sleep(POLL_MS);
      row = read.get(id) as RequestRow;
    }
    return { ...row, exitCode: exitCode ?? null };
  } finally {
    db.close();
    child.kill('SIGTERM');
    const giveUp = new AbortController();
    const stopped = await Promise.race([exited.then(() => true), sleep(15_000, false, { signal: giveUp.signal }).catch(() => false)]);
    giveUp.abort();
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
