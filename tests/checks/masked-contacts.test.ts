import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { maskedContactsIn, maskedContactsPath, recordMaskedContacts } from '../../src/checks/masked-contacts.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import type { DatabaseEngine, Row } from '../../src/engine/types.js';
import type { Fragment } from '../../src/sql/fragment.js';
import { UserError } from '../../src/errors.js';
import { Profile } from '../../src/platform/profile.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SAMPLE_ADAPTER, SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

/** The tiny database with `emails` as contacts 1.., each on account 1. */
function withContacts(t: Test, emails: readonly string[]): string {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const db = new Database(tiny.path);
  db.exec('DELETE FROM contacts');
  const insert = db.prepare("INSERT INTO contacts (id, account_id, first_name, last_name, email) VALUES (?, 1, 'x', 'y', ?)");
  db.transaction(() => emails.forEach((email, i) => insert.run(i + 1, email)))();
  db.close();
  return tiny.path;
}

async function readAll(file: string): Promise<[number, string][]> {
  const rows: [number, string][] = [];
  for await (const row of maskedContactsIn(file)()) rows.push([row.contact_id, row.email]);
  return rows;
}

t.test('every contact is recorded in contact id order and read back exactly, hostile values included', async (t) => {
  const hostile = ["o'brien@x.example", 'a"b\\c@x.example', 'line\nbreak@x.example', 'tab\there@x.example', 'ünïcödé@bücher.example', '𝄞@music.example', "x'); DROP TABLE contacts;--@x.example", `${'h'.repeat(100_000)}@huge.example`];
  const emails = [...hostile, ...Array.from({ length: 9000 }, (_, i) => `masked-${i}@rehearsal.invalid`)];
  const engine = SqliteEngine.open(withContacts(t, emails), { readonly: true });
  t.teardown(() => engine.close());
  const file = maskedContactsPath(t.testdir({}));
  t.equal(await recordMaskedContacts(engine, profile, file), emails.length, 'the count it reports');
  t.same(await readAll(file), emails.map((email, i) => [i + 1, email]), 'same ids and addresses, byte for byte, in order');
  t.same(await readAll(file), emails.map((email, i) => [i + 1, email]), 'read again from the start on every call');
});

t.test('a read that fails half way leaves no file, not a partial one that would be trusted', async (t) => {
  const emails = Array.from({ length: 9000 }, (_, i) => `masked-${i}@rehearsal.invalid`);
  const real = SqliteEngine.open(withContacts(t, emails), { readonly: true });
  t.teardown(() => real.close());
  const dropping: DatabaseEngine = Object.create(real, {
    stream: {
      value: async function* (statement: Fragment): AsyncIterable<Row> {
        let n = 0;
        for await (const row of real.stream(statement)) {
          if (++n === 8500) throw new Error('Connection lost - read ECONNRESET');
          yield row;
        }
      },
    },
  }) as DatabaseEngine;
  const dir = t.testdir({});
  const file = maskedContactsPath(dir);
  writeFileSync(file, '[1,"stale@earlier.example"]\n');
  await t.rejects(recordMaskedContacts(dropping, profile, file), /ECONNRESET/);
  t.same(readdirSync(dir), [], 'neither the stale file of an earlier bill run nor the partial one is left');
  await t.rejects(readAll(file), UserError, 'so verify stops with what to do instead of reading the billed copy');
});

t.test('an adapter that reads no contacts records nothing, and removes what an earlier bill run recorded', async (t) => {
  const engine = SqliteEngine.open(withContacts(t, ['a@x.example']), { readonly: true });
  t.teardown(() => engine.close());
  const dir = t.testdir({ 'contacts-before-bill-run.jsonl': '[1,"stale@earlier.example"]\n' });
  const without = new Profile({ ...SAMPLE_ADAPTER, queries: SAMPLE_ADAPTER.queries.filter((q) => q.concept !== 'contactEmails') });
  t.equal(await recordMaskedContacts(engine, without, maskedContactsPath(dir)), undefined);
  t.notOk(existsSync(maskedContactsPath(dir)));
});

t.test('without the record, reading says which file is missing and what to do: a user error, no stack', async (t) => {
  const file = maskedContactsPath(t.testdir({}));
  const error = await readAll(file).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof UserError);
  t.match(String((error as Error | undefined)?.message), file);
  t.match(String((error as Error | undefined)?.message), 'rehearse all --fresh <plan>');
});
