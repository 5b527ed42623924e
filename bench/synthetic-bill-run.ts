import Database from 'better-sqlite3';

/**
 * A bill run's writes made by SQL on a copy of the snapshot, for timing the comparisons at sizes
 * where a real bill run does not fit the time (a million accounts take hours on a loaded machine):
 * every account with a package due gets an invoice with one recurring line per package and a tax
 * line, an invoice transaction, its usage rated and its packages advanced. Not the stand-in's
 * billing; the tables, indexes and row counts are of the same order.
 */
export function synthesizeBillRun(path: string, billDate: string): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const at = `${billDate}T02:00:00.000Z`;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at)
         SELECT a.id, 'INV-' || :billDate || '-' || a.account_number, :billDate, s.subtotal, 0, s.subtotal / 10, s.subtotal + s.subtotal / 10, :at
         FROM accounts a JOIN (SELECT up.account_id, SUM(p.price_cents * up.quantity) AS subtotal FROM user_packages up JOIN packages p ON p.id = up.package_id
           WHERE up.status = 'active' AND up.next_bill_date <= :billDate GROUP BY up.account_id) s ON s.account_id = a.id
         WHERE a.status = 'active'`,
      ).run({ billDate, at });
      db.prepare(
        `INSERT INTO invoice_items (invoice_id, user_package_id, kind, description, amount_cents)
         SELECT i.id, up.id, 'recurring', p.name, p.price_cents * up.quantity FROM invoices i JOIN user_packages up ON up.account_id = i.account_id JOIN packages p ON p.id = up.package_id
         WHERE i.bill_date = :billDate AND up.status = 'active' AND up.next_bill_date <= :billDate`,
      ).run({ billDate });
      db.prepare(`INSERT INTO invoice_items (invoice_id, kind, description, amount_cents) SELECT id, 'tax', 'Sales tax', tax_cents FROM invoices WHERE bill_date = :billDate`).run({ billDate });
      db.prepare(`INSERT INTO transactions (account_id, kind, amount_cents, reference, created_at) SELECT account_id, 'invoice', total_cents, invoice_number, :at FROM invoices WHERE bill_date = :billDate`).run({ billDate, at });
      db.prepare(`UPDATE accounts SET balance_cents = balance_cents + (SELECT total_cents FROM invoices i WHERE i.account_id = accounts.id AND i.bill_date = :billDate) WHERE id IN (SELECT account_id FROM invoices WHERE bill_date = :billDate)`).run({ billDate });
      db.prepare(`UPDATE usage_records SET rated = 1 WHERE rated = 0 AND usage_date < :billDate`).run({ billDate });
      db.prepare(
        `UPDATE user_packages SET next_bill_date = date(next_bill_date, CASE (SELECT period FROM packages p WHERE p.id = user_packages.package_id) WHEN 'yearly' THEN '+1 year' ELSE '+1 month' END)
         WHERE status = 'active' AND next_bill_date <= :billDate`,
      ).run({ billDate });
    })();
  } finally {
    db.close();
  }
}
