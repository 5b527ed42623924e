import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { billInIsolation } from '../../sample-platform/control/bill-in-isolation.js';
import type { BillRunSettings, IsolatedBillRunResult } from '../../sample-platform/control/bill-in-isolation.js';
import { generateSnapshot } from '../../sample-platform/generator/generate.js';
import { SINK_PORTS, TEST_GATEWAY_CERT, readCaptures } from './fixtures/sinks.js';
import type { Capture } from './fixtures/sinks.js';

export const BILL_DATE = '2026-11-01';
export const ALL_ON: BillRunSettings = { billDate: BILL_DATE, emailInvoices: true, chargeAutoPay: true, provision: true };
const SINK_ENTRY = fileURLToPath(new URL('./fixtures/service-with-sinks.ts', import.meta.url));

export interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

/** A temp folder removed when the test ends. */
export function tempDir(t: Teardown, prefix = 'sample-platform-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function makeSnapshot(dir: string, accounts = 80, seed = 7, name = 'snapshot.db'): string {
  const out = join(dir, name);
  generateSnapshot({ accounts, seed, billDate: BILL_DATE, out });
  return out;
}

export interface BilledCopy {
  readonly db: string;
  readonly result: IsolatedBillRunResult;
  readonly captures: Capture[];
}

/** Points the copy's mail server, switches and gateways at the capture servers on the namespace's loopback. */
function redirectToSinks(db: string): void {
  const conn = new Database(db);
  try {
    const set = conn.prepare('UPDATE settings SET value = ? WHERE key = ?');
    // Names for mail and gateways, addresses for the switches: both ways of reaching a host get used.
    set.run('localhost', 'smtp.host');
    set.run(String(SINK_PORTS.smtp), 'smtp.port');
    set.run(`127.0.0.1:${SINK_PORTS.switchA},127.0.0.1:${SINK_PORTS.switchB}`, 'provisioning.hosts');
    for (const processor of ['authorizenet', 'stripe', 'paypal']) {
      set.run(`https://localhost:${SINK_PORTS.gateway}/${processor}`, `gateway.${processor}.url`);
    }
  } finally {
    conn.close();
  }
}

/**
 * Bills a copy of the snapshot in a fresh network namespace. With `sinks`, capture servers run in
 * that namespace and the copy's settings point at them; without, nothing answers at all.
 */
export async function billCopy(
  snapshot: string,
  dir: string,
  name: string,
  options: { release?: 'production' | 'candidate'; faults?: string[]; sinks?: boolean; settings?: BillRunSettings } = {},
): Promise<BilledCopy> {
  const db = join(dir, `${name}.db`);
  copyFileSync(snapshot, db);
  const captureFile = join(dir, `${name}.captures.jsonl`);
  if (options.sinks) redirectToSinks(db);
  const result = await billInIsolation({
    db,
    socket: join(dir, `${name}.sock`),
    release: options.release ?? 'production',
    faults: options.faults ?? [],
    log: join(dir, `${name}.log`),
    settings: options.settings ?? ALL_ON,
    stallTimeoutMs: 60_000,
    ...(options.sinks ? { entry: SINK_ENTRY, env: { SINK_LOG: captureFile, NODE_EXTRA_CA_CERTS: TEST_GATEWAY_CERT } } : {}),
  });
  return { db, result, captures: readCaptures(captureFile) };
}

export function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

export function one<T>(db: string, sql: string, ...params: unknown[]): T {
  const row = query<T>(db, sql, ...params)[0];
  if (row === undefined) throw new Error(`no row for: ${sql}`);
  return row;
}

/** sha256 of a table's rows in id order, leaving out columns that hold wall-clock times. */
export function tableHash(db: string, table: string, without: readonly string[] = []): string {
  return createHash('sha256').update(JSON.stringify(tableRows(db, table, without))).digest('hex');
}

export function tableRows(db: string, table: string, without: readonly string[] = []): Record<string, unknown>[] {
  return query<Record<string, unknown>>(db, `SELECT * FROM "${table}" ORDER BY rowid`).map((row) => {
    const kept = { ...row };
    for (const column of without) delete kept[column];
    return kept;
  });
}

export function userTables(db: string): string[] {
  return query<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => r.name);
}

/** True while a process with this pid exists. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
