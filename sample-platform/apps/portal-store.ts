import type Database from 'better-sqlite3';
import type { AppOptions } from './options.js';

type Answer = { status?: number; body: unknown } | undefined;

/**
 * What the portal reads and writes, in the platform's own tables; tickets live in a table the
 * portal owns and creates on first start, as a web application's migration would. Candidate
 * regression switches: `portal-balance-in-cents` (the summary shows cents as the balance),
 * `signup-without-package` (sign-up creates the account but not its package),
 * `contact-update-not-saved` (the update answers 200 and writes nothing), `ticket-edit-fails`
 * (editing a ticket answers 500).
 */
export class PortalStore {
  private readonly db: Database.Database;

  constructor(private readonly options: AppOptions) {
    this.db = options.db;
    this.db.exec(`CREATE TABLE IF NOT EXISTS tickets (
      id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), subject TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'open', note TEXT, created_at TEXT NOT NULL, updated_at TEXT)`);
  }

  summary(accountNumber: string): Answer {
    const row = this.db
      .prepare(`SELECT a.account_number, a.name, a.status, a.balance_cents, (SELECT MAX(i.bill_date) FROM invoices i WHERE i.account_id = a.id) AS last_bill_date,
        (SELECT value FROM settings WHERE key = 'billing.currency') AS currency FROM accounts a WHERE a.account_number = ?`)
      .get(accountNumber) as { account_number: string; name: string; status: string; balance_cents: number; last_bill_date: string | null; currency: string | null } | undefined;
    if (row === undefined) return undefined;
    const balance = this.options.faults.has('portal-balance-in-cents') ? row.balance_cents : row.balance_cents / 100;
    return { body: { accountNumber: row.account_number, name: row.name, status: row.status, lastBillDate: row.last_bill_date, balance, currency: row.currency } };
  }

  contact(accountNumber: string): Answer {
    const row = this.db.prepare('SELECT c.email, c.phone FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE a.account_number = ? AND c.is_primary = 1 ORDER BY c.id LIMIT 1').get(accountNumber);
    return row === undefined ? undefined : { body: row };
  }

  updateContact(accountNumber: string, input: Record<string, unknown>): Answer {
    const email = typeof input.email === 'string' ? input.email : undefined;
    const phone = typeof input.phone === 'string' ? input.phone : undefined;
    if (email === undefined && phone === undefined) return { status: 400, body: { error: 'give email or phone' } };
    const account = this.accountId(accountNumber);
    if (account === undefined) return undefined;
    if (!this.options.faults.has('contact-update-not-saved')) {
      this.db.prepare('UPDATE contacts SET email = COALESCE(?, email), phone = COALESCE(?, phone) WHERE account_id = ? AND is_primary = 1').run(email ?? null, phone ?? null, account);
    }
    return { body: { updated: true } };
  }

  signUp(input: Record<string, unknown>): Answer {
    const name = typeof input.name === 'string' ? input.name : '';
    const email = typeof input.email === 'string' ? input.email : null;
    const packageCode = typeof input.packageCode === 'string' ? input.packageCode : '';
    const pkg = this.db.prepare('SELECT id FROM packages WHERE code = ?').get(packageCode) as { id: number } | undefined;
    if (name === '' || pkg === undefined) return { status: 400, body: { error: 'name and a known packageCode are needed' } };
    const today = new Date().toISOString().slice(0, 10);
    return this.db.transaction(() => {
      const next = (this.db.prepare("SELECT COUNT(*) AS n FROM accounts WHERE account_number LIKE 'WEB-%'").get() as { n: number }).n + 1;
      const number = `WEB-${String(next).padStart(6, '0')}`;
      const owner = (this.db.prepare('SELECT MIN(id) AS id FROM owners').get() as { id: number }).id;
      const account = this.db.prepare("INSERT INTO accounts (owner_id, account_number, name, status, bill_day) VALUES (?, ?, ?, 'active', 1)").run(owner, number, name).lastInsertRowid;
      this.db.prepare('INSERT INTO contacts (account_id, is_primary, first_name, last_name, email) VALUES (?, 1, ?, ?, ?)').run(account, name.split(' ')[0] ?? name, name.split(' ').slice(1).join(' ') || '-', email);
      if (!this.options.faults.has('signup-without-package')) {
        this.db.prepare("INSERT INTO user_packages (account_id, package_id, status, start_date, next_bill_date, provisioning_status) VALUES (?, ?, 'active', ?, ?, 'pending')").run(account, pkg.id, today, today);
      }
      return { body: { accountNumber: number } };
    })();
  }

  createTicket(input: Record<string, unknown>): Answer {
    const account = this.accountId(typeof input.accountNumber === 'string' ? input.accountNumber : '');
    const subject = typeof input.subject === 'string' ? input.subject : '';
    if (account === undefined || subject === '') return { status: 400, body: { error: 'a known accountNumber and a subject are needed' } };
    const id = this.db.prepare('INSERT INTO tickets (account_id, subject, created_at) VALUES (?, ?, ?)').run(account, subject, new Date().toISOString()).lastInsertRowid;
    return { body: { id: Number(id), status: 'open' } };
  }

  editTicket(id: number, input: Record<string, unknown>): Answer {
    if (this.ticket(id) === undefined) return undefined;
    if (this.options.faults.has('ticket-edit-fails')) return { status: 500, body: { error: 'ticket could not be saved' } };
    const status = typeof input.status === 'string' ? input.status : undefined;
    const note = typeof input.note === 'string' ? input.note : undefined;
    this.db.prepare('UPDATE tickets SET status = COALESCE(?, status), note = COALESCE(?, note), updated_at = ? WHERE id = ?').run(status ?? null, note ?? null, new Date().toISOString(), id);
    return this.ticket(id);
  }

  /** The account's most recent ticket, edited: how a portal user edits the ticket they just opened. */
  editLatestTicket(accountNumber: string, input: Record<string, unknown>): Answer {
    const latest = this.db.prepare('SELECT MAX(t.id) AS id FROM tickets t JOIN accounts a ON a.id = t.account_id WHERE a.account_number = ?').get(accountNumber) as { id: number | null };
    return latest.id === null ? undefined : this.editTicket(latest.id, input);
  }

  ticket(id: number): Answer {
    const row = this.db.prepare('SELECT id, subject, status, note FROM tickets WHERE id = ?').get(id);
    return row === undefined ? undefined : { body: row };
  }

  close(): void {
    this.db.close();
  }

  private accountId(accountNumber: string): number | undefined {
    return (this.db.prepare('SELECT id FROM accounts WHERE account_number = ?').get(accountNumber) as { id: number } | undefined)?.id;
  }
}
