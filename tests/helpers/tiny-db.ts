import Database from 'better-sqlite3';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './plan-fixture.js';

/** A hand-made sample-platform database with a few known rows, for unit tests of one stage. */
export function makeTinyDatabase(): { dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-db-'));
  const path = join(dir, 'tiny.db');
  const db = new Database(path);
  db.exec(readFileSync(join(PROJECT_ROOT, 'sample-platform/schema/schema.sql'), 'utf8'));
  db.exec(`
    INSERT INTO owners (id, name) VALUES (1, 'Northwind');
    INSERT INTO accounts (id, owner_id, account_number, name, status, bill_day, notes) VALUES
      (1, 1, 'ACC-000001', 'Ada Lovelace', 'active', 1, 'prefers calls'),
      (2, 1, 'ACC-000002', 'Alan Turing', 'active', 1, NULL);
    INSERT INTO contacts (account_id, first_name, last_name, email, phone, street, city, postcode, country) VALUES
      (1, 'Ada', 'Lovelace', 'ada@analytical.example', '(212) 555-7788', '1 Engine St', 'London', 'N1', 'GB'),
      (2, 'Alan', 'Turing', 'alan@bletchley.example', '212.555.9911', '2 Park Rd', 'Wilmslow', 'SK9', 'GB');
    INSERT INTO roles (id, name) VALUES (1, 'Administrator');
    INSERT INTO staff_users (username, email, role_id, password_hash) VALUES ('ada', 'ada@analytical.example', 1, '$2b$10$abcdefghijklmnopqrstuv');
    INSERT INTO payment_methods (account_id, kind, processor, card_token, card_number, card_last4, card_expiry, holder_name) VALUES
      (1, 'card', 'stripe', 'tok_abc', '4539578763621486', '1486', '2027-05', 'Ada Lovelace');
    INSERT INTO settings (key, value) VALUES
      ('smtp.host', 'mail.northwind-telecom.example'), ('smtp.from', 'billing@northwind-telecom.example'),
      ('gateway.stripe.api_key', 'sk_live_123'), ('billing.tax_rate_bp', '825');
    INSERT INTO event_log (logged_at, level, module, action, result, message) VALUES ('2026-10-01T00:00:00Z', 'info', 'Email', 'Send', 'ok', 'sent to alan@bletchley.example');
  `);
  db.close();
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A checksum of every row of every table: equal before and after means nothing was written. */
export function contentHash(path: string): string {
  const db = new Database(path, { readonly: true });
  const hash = createHash('sha256');
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    hash.update(table);
    for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate()) hash.update(JSON.stringify(row));
  }
  db.close();
  return hash.digest('hex');
}

/** The first column of every row a query returns, read without writing anything. */
export function readColumn(path: string, query: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(query).pluck().all();
  } finally {
    db.close();
  }
}
