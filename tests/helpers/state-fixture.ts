import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small billing schema with the shapes the differential must handle: surrogate keys, a unique natural key, references. */
export const SCHEMA = `
CREATE TABLE accounts (id INTEGER PRIMARY KEY, account_number TEXT NOT NULL UNIQUE, balance_cents INTEGER NOT NULL, next_bill_date TEXT);
CREATE TABLE usage_records (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), minutes INTEGER NOT NULL, rated INTEGER NOT NULL DEFAULT 0);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), invoice_number TEXT NOT NULL UNIQUE, subtotal_cents INTEGER NOT NULL, total_cents INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE invoice_items (id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id), kind TEXT NOT NULL, amount_cents INTEGER NOT NULL);
CREATE TABLE transactions (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), kind TEXT NOT NULL, amount_cents INTEGER NOT NULL, reference TEXT);
CREATE TABLE event_log (id INTEGER PRIMARY KEY, logged_at TEXT NOT NULL, level TEXT NOT NULL, message TEXT);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export const BEFORE = `
INSERT INTO accounts VALUES (1, 'ACC-1', 0, '2026-11-01'), (2, 'ACC-2', 0, '2026-11-01'), (3, 'ACC-3', 500, '2026-11-15');
INSERT INTO usage_records VALUES (1, 1, 120, 0), (2, 2, 30, 0);
INSERT INTO event_log VALUES (1, '2026-10-01T08:00:00Z', 'info', 'Bill run 1 started (release 7.4.2)');
INSERT INTO settings VALUES ('currency', 'USD');
`;

/** Production's bill run on the old release: what a correct candidate must reproduce. */
export function productionBillRun(release = '7.4.2', at = '2026-11-01T02:00:00.123Z'): string {
  return `
UPDATE usage_records SET rated = 1;
INSERT INTO invoices VALUES (10, 1, 'INV-ACC-1', 1000, 1080, '${at}'), (11, 2, 'INV-ACC-2', 500, 540, '${at}');
INSERT INTO invoice_items VALUES (100, 10, 'recurring', 1000), (101, 10, 'tax', 80), (102, 11, 'recurring', 500), (103, 11, 'tax', 40);
INSERT INTO transactions VALUES (1000, 1, 'invoice', 1080, 'INV-ACC-1'), (1001, 2, 'invoice', 540, 'INV-ACC-2');
UPDATE accounts SET balance_cents = balance_cents + CASE id WHEN 1 THEN 1080 WHEN 2 THEN 540 ELSE 0 END, next_bill_date = CASE WHEN id IN (1, 2) THEN '2026-12-01' ELSE next_bill_date END;
INSERT INTO event_log VALUES (2, '${at}', 'info', 'Bill run 2 started (release ${release})');`;
}


/** The three SQLite files of one scenario in `dir`: before the bill run, billed by the rehearsal's script, billed by production. */
export function stateFiles(dir: string, rehearsal: string): { billed: string; beforeBillRun: string; productionMasked: string } {
  const make = (name: string, ...scripts: string[]): string => {
    const path = join(dir, name);
    const db = new Database(path);
    db.exec(SCHEMA);
    for (const script of scripts) db.exec(script);
    db.close();
    return path;
  };
  const beforeBillRun = make('before.db', BEFORE);
  const billed = join(dir, 'billed.db');
  copyFileSync(beforeBillRun, billed);
  const db = new Database(billed);
  db.exec(rehearsal);
  db.close();
  return { billed, beforeBillRun, productionMasked: make('production.db', BEFORE, productionBillRun()) };
}
