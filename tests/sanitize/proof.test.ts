import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { provePiiRemoved, type ProofOptions } from '../../src/sanitize/proof.js';
import { NO_RULES, streamingOnly } from './proof-fixtures.js';

const OPTIONS: ProofOptions = { safeDomain: 'rehearsal.invalid', productionHosts: ['Mail.Northwind-Telecom.example', 'kx.example', '192.0.2.10'], allow: [] };

/**
 * Values at the edges of SQLite's cheap pre-test: each one the regular expressions flag must
 * reach them, and safe look-alikes must stay clean. `finds` is the kinds expected per value.
 */
const CASES: readonly { value: string; finds: readonly string[] }[] = [
  { value: 'ada@analytical.example', finds: ['email'] },
  { value: 'a@b.cc', finds: ['email'] },
  { value: 'ok: x.0123456789@rehearsal.invalid', finds: [] },
  { value: 'x@rehearsal.invalid, y@evil.example', finds: ['email'] },
  { value: '4539 5787-6362 1486', finds: ['card-number'] },
  { value: '4 5 3 9 5 7 8 7 6 3 6 2 1 4 8 6', finds: ['card-number'] },
  { value: '4000001234561486', finds: [] },
  { value: '212 555 7788', finds: ['phone'] },
  { value: '+1 555 0142', finds: [] },
  { value: '2026-11-01', finds: [] },
  { value: 'relay via MAIL.NORTHWIND-TELECOM.EXAMPLE', finds: ['production-host'] },
  { value: 'switch 192.0.2.10:2208', finds: ['production-host'] },
  // JavaScript lower-cases the Kelvin sign to an ASCII k; SQLite's lower() leaves it alone
  { value: 'relay \u212Ax.example', finds: ['production-host'] },
  // SQLite's length() and GLOB stop at a NUL; JavaScript reads the whole value
  { value: 'x\u0000 call 212-555-7788', finds: ['phone'] },
  { value: 'Zoë Müller, née 名前 🙂', finds: [] },
  { value: 'no personal data here', finds: [] },
  { value: '', finds: [] },
];

t.test('the proof in SQLite (pre-test, then regular expressions) finds exactly what reading every value finds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-proof-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'p.db');
  const db = new Database(path);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, extra VARCHAR(200), count INTEGER, anything)');
  const insert = db.prepare('INSERT INTO notes (body, extra, count, anything) VALUES (?, ?, ?, ?)');
  for (const { value } of CASES) insert.run(value, null, 1, Buffer.from(value));
  insert.run(null, 'bob@example.org', null, 42);
  db.close();
  const engine = SqliteEngine.open(path);
  t.teardown(() => engine.close());

  const inSqlite = await provePiiRemoved(engine, NO_RULES, OPTIONS);
  const byStreaming = await provePiiRemoved(streamingOnly(engine), NO_RULES, OPTIONS);
  t.same(inSqlite, byStreaming, 'both paths give the same proof');

  const expected = new Map<string, number>();
  for (const { finds } of CASES) for (const kind of finds) expected.set(kind, (expected.get(kind) ?? 0) + 1);
  const found = (column: string): Map<string, number> => new Map(inSqlite.findings.filter((f) => f.column === column).map((f) => [f.kind, f.count]));
  t.same(found('notes.body'), expected, 'every tricky value found, no safe value flagged');
  t.same(found('notes.extra'), new Map([['email', 1]]), 'every text column is scanned');
  t.same(found('notes.anything'), new Map(), 'blobs in an untyped column are not text');
  t.equal(inSqlite.rowsScanned, CASES.length + 1);
  t.equal(inSqlite.columnsScanned, 3, 'body, extra and the untyped column; not the integer');
  t.notOk(inSqlite.passed);
});

t.test('the proof functions cannot be called from the database itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-proof-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'p.db');
  new Database(path).close();
  const engine = SqliteEngine.open(path);
  t.teardown(() => engine.close());
  engine.connection.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a@b.example')");
  await provePiiRemoved(engine, NO_RULES, OPTIONS);
  engine.connection.exec('CREATE VIEW sneaky AS SELECT rehearsal_pii_counts(v) AS c FROM t');
  t.throws(() => engine.connection.prepare('SELECT c FROM sneaky').all(), /unsafe use of rehearsal_pii_counts/, 'direct-only: a view in the restored copy cannot call it');
});
