import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSample, sha256 } from '../helpers/sample-fixture.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkAgainstProduction } from '../../src/checks/production-diff.js';
import { withSqliteDifferingAccounts } from '../../src/differential/differing-accounts-sqlite.js';
import type { CheckResult } from '../../src/checks/types.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

const BILL_DATE = '2026-11-01';
const sample = makeSample(150, 5);
t.teardown(() => sample.cleanup());

/** A copy of production's result changed by `change`, as if a release had billed it. */
function changedCopy(name: string, change: (db: Database.Database) => void): string {
  const path = join(sample.dir, `${name}.db`);
  copyFileSync(sample.productionResult, path);
  const db = new Database(path);
  db.pragma('ignore_check_constraints = ON');
  db.pragma('foreign_keys = OFF');
  change(db);
  db.close();
  return path;
}

/** The check both ways: the streaming merge, and the comparison SQLite runs across the attached files. */
async function bothWays(rehearsalPath: string, tolerance = 0): Promise<{ merge: CheckResult; server: CheckResult; ranOnServer: boolean }> {
  const rehearsal = SqliteEngine.open(rehearsalPath, { readonly: true });
  const production = SqliteEngine.open(sample.productionResult, { readonly: true });
  try {
    const merge = await checkAgainstProduction(rehearsal, production, BILL_DATE, tolerance, profile);
    let ranOnServer = false;
    const server = await checkAgainstProduction(rehearsal, production, BILL_DATE, tolerance, profile, (use) =>
      withSqliteDifferingAccounts(rehearsalPath, sample.productionResult, profile, BILL_DATE, (found) => {
        ranOnServer = true;
        return use(found);
      }),
    );
    return { merge, server, ranOnServer };
  } finally {
    await rehearsal.close();
    await production.close();
  }
}

t.test("identical results: the engine finds no differing account, and says what the merge says, whatever the tool's own tables", async (t) => {
  // A billed copy carries the run marker, the seal and the masking tables; production's result does not.
  const same = changedCopy('same', (db) => db.exec('CREATE TABLE _rehearsal_run (run_id TEXT); CREATE TABLE _rehearsal_seal (seal TEXT); CREATE TABLE _rehearsal_fake_names (id INTEGER PRIMARY KEY, value TEXT)'));
  const { merge, server, ranOnServer } = await bothWays(same);
  t.ok(ranOnServer, 'compared inside SQLite');
  t.equal(merge.status, 'passed', merge.summary);
  t.same(server, merge);
});

t.test('NULLs, equal values of other types, unicode, case and missing rows on each side: the same findings as the merge', async (t) => {
  const paths = [sample.productionResult];
  const hashes = paths.map(sha256);
  const changed = changedCopy('injected', (db) => {
    const ids = db.prepare('SELECT id FROM accounts ORDER BY id').pluck().all() as number[];
    const invoiced = db.prepare('SELECT DISTINCT account_id FROM invoices WHERE bill_date = ? ORDER BY account_id').pluck().all(BILL_DATE) as number[];
    const at = (list: number[], i: number): number => list[i % list.length] as number;
    // Equal values stored as another type: REAL and TEXT balances the merge reads as the same cents.
    db.prepare('UPDATE accounts SET balance_cents = CAST(balance_cents AS REAL) WHERE id = ?').run(at(ids, 1));
    db.prepare("UPDATE invoices SET total_cents = CAST(total_cents AS TEXT) WHERE account_id = ? AND bill_date = ?").run(at(invoiced, 2), BILL_DATE);
    db.prepare('UPDATE invoice_items SET amount_cents = CAST(amount_cents AS REAL) WHERE invoice_id IN (SELECT id FROM invoices WHERE account_id = ?)').run(at(invoiced, 3));
    // A cent inside the tolerance of one test run, a real difference in the other.
    db.prepare('UPDATE invoices SET tax_cents = tax_cents + 1 WHERE account_id = ? AND bill_date = ?').run(at(invoiced, 4), BILL_DATE);
    // NULLs where production has values.
    db.prepare('UPDATE user_packages SET next_bill_date = NULL WHERE account_id = ?').run(at(ids, 5));
    db.prepare('DELETE FROM minute_buckets WHERE id = (SELECT MIN(id) FROM minute_buckets)').run();
    // Case and unicode: a status differing only in case, a package code with non-ASCII letters.
    db.prepare("UPDATE user_packages SET status = upper(substr(status, 1, 1)) || substr(status, 2) WHERE account_id = ?").run(at(ids, 6));
    db.prepare("UPDATE packages SET code = code || '-zürich-東京' WHERE id = (SELECT package_id FROM user_packages WHERE account_id = ? LIMIT 1)").run(at(ids, 7));
    // Charges: one more item of a new kind, and an item moved to another kind (same total).
    const invoice = db.prepare('SELECT id FROM invoices WHERE account_id = ? AND bill_date = ?').pluck().get(at(invoiced, 12), BILL_DATE) as number;
    db.prepare("INSERT INTO invoice_items (invoice_id, kind, description, amount_cents) VALUES (?, 'late fee', 'fee', 250)").run(invoice);
    db.prepare("UPDATE invoice_items SET kind = 'one-time' WHERE id = (SELECT MIN(id) FROM invoice_items WHERE invoice_id = (SELECT id FROM invoices WHERE account_id = ? AND bill_date = ?))").run(at(invoiced, 9), BILL_DATE);
    // Missing rows: an account production has and the rehearsal lacks, and one only the rehearsal has.
    db.prepare('DELETE FROM accounts WHERE id = ?').run(ids.at(-1));
    const owner = db.prepare('SELECT owner_id FROM accounts LIMIT 1').pluck().get() as number;
    db.prepare("INSERT INTO accounts (owner_id, account_number, name, status, bill_day, balance_cents) VALUES (?, 'ACC-ÆØÅ-01', 'new', 'active', 1, 0)").run(owner);
  });
  const { merge, server, ranOnServer } = await bothWays(changed);
  t.ok(ranOnServer, 'compared inside SQLite');
  t.equal(merge.status, 'failed');
  const fields = new Set(merge.sections?.find((s) => s.title === 'Differing accounts by field')?.rows.map((r) => r['field']));
  for (const field of ['missing in rehearsal', 'missing in production result', 'taxes', 'next bill dates', 'charges: late fee', 'charges: one-time', 'pool minutes used']) t.ok(fields.has(field), `the merge finds ${field}`);
  t.same(server, merge, 'the engine-side comparison reports exactly what the merge reports');
  const tolerant = await bothWays(changed, 1);
  t.same(tolerant.server, tolerant.merge, 'and with a tolerance');
  t.same(paths.map(sha256), hashes, "production's result is only read");
});

t.test('databases whose tables differ are left to the merge', async (t) => {
  const extra = changedCopy('extra-table', (db) => db.exec('CREATE TABLE release_notes (id INTEGER PRIMARY KEY)'));
  const { merge, server, ranOnServer } = await bothWays(extra);
  t.notOk(ranOnServer, 'not compared inside SQLite');
  t.same(server, merge);
});

t.test('differences on the eCheck accounts alone are put down to paying by eCheck, both ways', async (t) => {
  const changed = changedCopy('echeck-surcharge', (db) =>
    db.exec(`UPDATE invoices SET total_cents = total_cents + 150 WHERE bill_date = '${BILL_DATE}'
      AND account_id IN (SELECT account_id FROM payment_methods WHERE kind = 'echeck')`),
  );
  const { merge, server, ranOnServer } = await bothWays(changed);
  t.ok(ranOnServer, 'compared inside SQLite');
  t.equal(merge.status, 'failed');
  t.match(merge.summary, /most likely cause: pays by echeck\/\w+ \(lift ×\d+/, merge.summary);
  const [first] = merge.sections?.find((s) => s.title.includes('cause'))?.rows ?? [];
  t.equal(first?.['share of differing'], '100%', 'every differing account pays by eCheck');
  t.same(server, merge, 'the same causes when the engine found the differing accounts');
});
