import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { hashPair, maskedHashes } from '../../src/checks/outbound-mail-fold.js';
import { contactsOf } from '../../src/checks/masked-contacts.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

/**
 * Production's recipients are folded through the address sanitize gave the same contact in the
 * copy. Both sides are read in contact id order and joined as they stream, so the join must pair
 * by id whatever each side lacks: contacts only the copy has, contacts it lost, and a copy whose
 * contacts end before production's.
 */
type Edit = (db: Database.Database) => void;

/** Production's result and the copy as two tiny sample databases, each edited first, opened read-only. */
function twoDatabases(t: Test, edit: { production?: Edit; copy?: Edit }): { production: SqliteEngine; copy: SqliteEngine } {
  const open = (change: Edit | undefined): SqliteEngine => {
    const tiny = makeTinyDatabase();
    t.teardown(() => tiny.cleanup());
    const db = new Database(tiny.path);
    change?.(db);
    db.close();
    const engine = SqliteEngine.open(tiny.path, { readonly: true });
    t.teardown(() => engine.close());
    return engine;
  };
  return { production: open(edit.production), copy: open(edit.copy) };
}

/** Replaces contacts `drop`, adds `rows` (id, address) and gives contact 1 `first`. */
function contacts(first: string, rows: readonly [number, string][], drop: readonly number[] = []): Edit {
  return (db) => {
    for (const id of drop) db.prepare('DELETE FROM contacts WHERE id = ?').run(id);
    const insert = db.prepare("INSERT INTO contacts (id, account_id, first_name, last_name, email) VALUES (?, 1, 'x', 'y', ?)");
    for (const [id, email] of rows) insert.run(id, email);
    db.prepare('UPDATE contacts SET email = ? WHERE id = 1').run(first);
  };
}

t.test("each production address maps to the masked address of the same contact id, and to nothing where the copy lacks the contact or masked it two ways", async (t) => {
  const { production, copy } = twoDatabases(t, {
    production: contacts('ada@analytical.example', [[5, 'Grace@Navy.example'], [8, 'bob@x.example'], [9, 'bob@x.example'], [20, 'zed@x.example']]),
    // Contact 2 is gone from the copy; 3 and 12 exist only there; the copy's contacts end at 12.
    copy: contacts('m1@rehearsal.invalid', [[3, 'extra@rehearsal.invalid'], [5, 'M5@Rehearsal.invalid'], [8, 'm8@rehearsal.invalid'], [9, 'm9@rehearsal.invalid'], [12, 'late@rehearsal.invalid']], [2]),
  });
  const masked = await maskedHashes(contactsOf(copy, profile), production, profile);
  t.same(masked.formOf('ada@analytical.example'), hashPair('m1@rehearsal.invalid'), 'contact 1: its masked address');
  t.same(masked.formOf('grace@navy.example'), hashPair('m5@rehearsal.invalid'), 'contact 5, past a contact only the copy has: lower-cased on both sides');
  t.equal(masked.formOf('alan@bletchley.example'), undefined, 'contact 2, which the copy lost: no form');
  t.equal(masked.formOf('bob@x.example'), undefined, 'one address on two contacts masked differently: no single form');
  t.equal(masked.formOf('zed@x.example'), undefined, "contact 20, past the copy's last contact: no form");
  t.equal(masked.formOf('extra@rehearsal.invalid'), undefined, 'a contact only the copy has is not a production address');
  // Both reads are finished or closed: each connection answers the next query.
  t.equal((await profile.query(copy, 'contactEmails', {})).length, 6);
  t.equal((await profile.query(production, 'contactEmails', {})).length, 6);
});

t.test('a copy with no contacts gives production no masked form, and production with none leaves the copy\'s read closed', async (t) => {
  const { production, copy } = twoDatabases(t, { copy: (db) => db.exec('DELETE FROM contacts') });
  t.equal((await maskedHashes(contactsOf(copy, profile), production, profile)).formOf('ada@analytical.example'), undefined);
  // The sides swapped: production's result has no contacts, the copy two.
  t.equal((await maskedHashes(contactsOf(production, profile), copy, profile)).formOf('ada@analytical.example'), undefined);
  t.equal((await profile.query(production, 'contactEmails', {})).length, 2, "the copy's connection answers the next query: its read was closed");
});
