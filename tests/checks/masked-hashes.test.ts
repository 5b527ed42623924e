import t from 'tap';
import Database from 'better-sqlite3';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { hashPair, maskedHashes } from '../../src/checks/outbound-mail-fold.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

/**
 * Production's recipients are folded through the address sanitize gave the same contact in the
 * copy. Both sides are read in contact id order and joined as they stream, so the join must pair
 * by id whatever each side lacks: contacts only the copy has, contacts it lost, and a copy whose
 * contacts end before production's.
 */
t.test("each production address maps to the masked address of the same contact id, and to nothing where the copy lacks the contact or masked it two ways", async (t) => {
  const production = makeTinyDatabase();
  const copy = makeTinyDatabase();
  t.teardown(() => {
    production.cleanup();
    copy.cleanup();
  });
  const contacts = (path: string, rows: readonly [number, string][], drop: readonly number[]): void => {
    const db = new Database(path);
    db.prepare(`DELETE FROM contacts WHERE id IN (${drop.map(() => '?').join(', ') || 'NULL'})`).run(...drop);
    const insert = db.prepare("INSERT INTO contacts (id, account_id, first_name, last_name, email) VALUES (?, 1, 'x', 'y', ?)");
    for (const [id, email] of rows) insert.run(id, email);
    db.prepare('UPDATE contacts SET email = ? WHERE id = 1').run(path === copy.path ? 'm1@rehearsal.invalid' : 'ada@analytical.example');
    db.close();
  };
  contacts(production.path, [[5, 'Grace@Navy.example'], [8, 'bob@x.example'], [9, 'bob@x.example'], [20, 'zed@x.example']], []);
  // Contact 2 is gone from the copy; 3 and 12 exist only there; the copy's contacts end at 12.
  contacts(copy.path, [[3, 'extra@rehearsal.invalid'], [5, 'M5@Rehearsal.invalid'], [8, 'm8@rehearsal.invalid'], [9, 'm9@rehearsal.invalid'], [12, 'late@rehearsal.invalid']], [2]);
  const productionEngine = SqliteEngine.open(production.path, { readonly: true });
  const copyEngine = SqliteEngine.open(copy.path, { readonly: true });
  t.teardown(async () => {
    await productionEngine.close();
    await copyEngine.close();
  });

  const masked = await maskedHashes(copyEngine, productionEngine, profile);
  t.same(masked.formOf('ada@analytical.example'), hashPair('m1@rehearsal.invalid'), 'contact 1: its masked address');
  t.same(masked.formOf('grace@navy.example'), hashPair('m5@rehearsal.invalid'), 'contact 5, past a contact only the copy has: lower-cased on both sides');
  t.equal(masked.formOf('alan@bletchley.example'), undefined, 'contact 2, which the copy lost: no form');
  t.equal(masked.formOf('bob@x.example'), undefined, 'one address on two contacts masked differently: no single form');
  t.equal(masked.formOf('zed@x.example'), undefined, "contact 20, past the copy's last contact: no form");
  t.equal(masked.formOf('extra@rehearsal.invalid'), undefined, 'a contact only the copy has is not a production address');

  // Both reads are finished or closed: each connection answers the next query.
  t.equal((await profile.query(copyEngine, 'contactEmails', {})).length, 6);
  t.equal((await profile.query(productionEngine, 'contactEmails', {})).length, 6);
});

t.test('a copy with no contacts gives production no masked form, and production with none asks nothing of the copy', async (t) => {
  const production = makeTinyDatabase();
  const copy = makeTinyDatabase();
  t.teardown(() => {
    production.cleanup();
    copy.cleanup();
  });
  const empty = new Database(copy.path);
  empty.exec('DELETE FROM contacts');
  empty.close();
  const productionEngine = SqliteEngine.open(production.path, { readonly: true });
  const copyEngine = SqliteEngine.open(copy.path, { readonly: true });
  t.teardown(async () => {
    await productionEngine.close();
    await copyEngine.close();
  });
  t.equal((await maskedHashes(copyEngine, productionEngine, profile)).formOf('ada@analytical.example'), undefined);
  t.equal((await maskedHashes(productionEngine, copyEngine, profile)).formOf('m1@rehearsal.invalid'), undefined);
  t.equal((await profile.query(productionEngine, 'contactEmails', {})).length, 2, "production's connection is free after the copy ran out");
});
