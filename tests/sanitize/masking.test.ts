import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { createMasker, keyedHashMask, luhnValid } from '../../src/sanitize/maskers.js';
import { applyRules, prepareMasking, dropFakeValueTables, updateFor } from '../../src/sanitize/apply.js';
import { FAKE_TABLE_PREFIX } from '../../src/sanitize/fake-values.js';
import { sipHash24Bytes, sipHash52, sipKey } from '../../src/sanitize/siphash.js';
import { STRATEGIES } from '../../src/sanitize/rule-schema.js';
import type { RuleSet, Strategy } from '../../src/sanitize/rules.js';
import { silentProgress } from '../../src/ui/progress.js';

const SAFE = 'rehearsal.invalid';

/** Values chosen to hit every branch of the SQL: case, spaces, separators, short and odd card numbers, unicode. */
const VALUES = [
  'ada@analytical.example',
  '  Ada@Analytical.EXAMPLE ',
  'ÜBER@straße.example',
  '(212) 555-7788',
  '+44 20 7946 0958',
  '212.555.9911',
  '4539 5787-6362 1486',
  '4539578763621486',
  '12',
  '99x7',
  '',
  'Ada Lovelace',
  'ünïcødé — 名前 🙂',
  "x'); DROP TABLE t; --",
  'Call 212-555-7788 or write to alan@bletchley.example about card 4539 5787 6362 1486',
  'no personal data here',
];

function tempEngine(t: { teardown(fn: () => unknown): void }): { engine: SqliteEngine; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-mask-'));
  const path = join(dir, 'm.db');
  new Database(path).close();
  const engine = SqliteEngine.open(path);
  t.teardown(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { engine, path };
}

t.test('SipHash-2-4 matches the published test vectors, and the string path reads UTF-16LE bytes', async (t) => {
  const key = sipKey(Buffer.from([...Array(16).keys()]));
  const hex = ([h, l]: [number, number]): string => h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0');
  t.equal(hex(sipHash24Bytes(key, new Uint8Array(0))), '726fdb47dd0e0e31');
  t.equal(hex(sipHash24Bytes(key, Uint8Array.of(0))), '74f839c593dc67fd');
  t.equal(hex(sipHash24Bytes(key, Uint8Array.from([...Array(15).keys()]))), 'a129ca6149be45e5');
  for (const text of VALUES) {
    const [high, low] = sipHash24Bytes(key, Buffer.from(text, 'utf16le'));
    t.equal(sipHash52(key, text), (high >>> 12) * 2 ** 32 + low, `${JSON.stringify(text)}: same hash from the string`);
  }
});

t.test('set-based SQL on SQLite gives exactly what the per-value masker gives, for every strategy', async (t) => {
  const { engine } = tempEngine(t);
  const masker = createMasker(Buffer.from('parity-secret'), SAFE);
  const strategies: Strategy[] = [...STRATEGIES.map((kind): Strategy => ({ kind })), { kind: 'constant', value: 'fixed' }];
  const columns = strategies.map((s) => s.kind.replaceAll('-', '_'));
  engine.connection.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${columns.map((c) => `"${c}" TEXT`).join(', ')})`);
  const insert = engine.connection.prepare(`INSERT INTO t (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  for (const value of [...VALUES, null]) insert.run(...columns.map(() => value));
  const ops = await prepareMasking(engine, masker);
  const rule = { table: 't', filters: [], index: 0, columns: strategies.map((strategy, i) => ({ column: columns[i] ?? '', strategy })) };
  await engine.exec(updateFor(rule, { ops, safeDomain: SAFE }));
  await dropFakeValueTables(engine);
  const rows = engine.connection.prepare('SELECT * FROM t ORDER BY id').all() as Record<string, unknown>[];
  [...VALUES, null].forEach((value, row) => {
    strategies.forEach((strategy, i) => {
      const column = columns[i] ?? '';
      t.equal(rows[row]?.[column], masker.mask(strategy, value), `${strategy.kind} of ${JSON.stringify(value)}`);
    });
  });
});

t.test('masked card numbers are Luhn-valid test PANs that keep the last four', async (t) => {
  const masker = createMasker(Buffer.from('pan-secret'), SAFE);
  for (const card of ['4539578763621486', '5555 5555 5555 4444', '3782-822463-10005', '6011000990139424']) {
    const pan = masker.mask({ kind: 'card-pan' }, card) as string;
    t.match(pan, /^400000\d{10}$/, `${card} becomes a test PAN`);
    t.ok(luhnValid(pan), `${pan} passes Luhn`);
    t.equal(pan.slice(-4), card.replace(/\D/g, '').slice(-4), 'last four kept');
  }
});

t.test('the same value masks alike wherever it appears, including inside free text', async (t) => {
  const masker = createMasker(Buffer.from('join-secret'), SAFE);
  const email = masker.mask({ kind: 'email' }, 'alan@bletchley.example') as string;
  t.equal(masker.mask({ kind: 'email' }, ' Alan@Bletchley.example'), email, 'case and surrounding spaces do not matter');
  t.match(masker.scrubText('write to alan@bletchley.example today'), `write to ${email} today`);
  t.equal(masker.mask({ kind: 'phone' }, '(212) 555-7788'), masker.mask({ kind: 'phone' }, '212.555.7788'));
  const other = createMasker(Buffer.from('another-secret'), SAFE);
  t.not(other.mask({ kind: 'email' }, 'alan@bletchley.example'), email, 'another secret, another address');
  t.not(other.keys.fakeValues.first_names.join(), masker.keys.fakeValues.first_names.join(), 'another secret, other fake names');
});

t.test('the run\'s fake-value tables are gone after the rules ran, and results carry rows per second', async (t) => {
  const { engine } = tempEngine(t);
  engine.connection.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO people (email) VALUES ('a@b.example'), ('c@d.example')");
  const ruleSet: RuleSet = {
    file: 'rules.yaml',
    vendorScripts: [],
    rules: [{ table: 'people', filters: [], index: 0, columns: [{ column: 'email', strategy: { kind: 'email' } }] }],
    errorAt: () => {
      throw new Error('not used');
    },
  };
  const [result] = await applyRules(engine, ruleSet, createMasker(Buffer.from('s'), SAFE), SAFE, silentProgress);
  t.equal(result?.rows, 2);
  t.ok((result?.rowsPerSecond ?? 0) > 0, 'rows per second reported');
  t.same((await engine.tables()).filter((table) => table.name.startsWith(FAKE_TABLE_PREFIX)), [], 'no lookup table left');
});

t.test('each hash function remembers its last answer only for the same value, starting with none', async (t) => {
  const { engine } = tempEngine(t);
  const masker = createMasker(Buffer.from('cache-secret'), SAFE);
  engine.connection.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT); INSERT INTO t (a) VALUES (''), (''), ('x'), ('')");
  const ops = await prepareMasking(engine, masker);
  const rule = { table: 't', filters: [], index: 0, columns: [{ column: 'a', strategy: { kind: 'keyed-hash' } as Strategy }] };
  await engine.exec(updateFor(rule, { ops, safeDomain: SAFE }));
  t.same(
    engine.connection.prepare('SELECT a FROM t ORDER BY id').pluck().all(),
    ['', '', 'x', ''].map((v) => masker.mask({ kind: 'keyed-hash' }, v)),
    'an empty string as the very first value is hashed, not taken from an empty cache',
  );
  engine.connection.exec("CREATE TRIGGER leak AFTER INSERT ON t BEGIN UPDATE t SET a = rehearsal_keyed_hash_email(NEW.a) WHERE id = NEW.id; END");
  t.throws(() => engine.connection.exec("INSERT INTO t (a) VALUES ('y')"), /unsafe use of rehearsal_keyed_hash_email/, 'a trigger in the copy cannot call the masking functions');
  await dropFakeValueTables(engine);
});

t.test('keyedHashMask masks a name exactly as the keyed-hash strategy does with the same secret', async (t) => {
  const secret = Buffer.from('a per-run masking secret');
  const strategy = createMasker(secret, 'rehearsal.invalid');
  const mask = keyedHashMask(secret);
  for (const name of ['jsmith', 'mgarcia', 'ünïcode']) t.equal(mask(name), strategy.mask({ kind: 'keyed-hash' }, name), name);
  t.not(mask('jsmith'), keyedHashMask(Buffer.from('another secret'))('jsmith'), 'another secret, another mask');
});
