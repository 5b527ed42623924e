import t from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { createMasker } from '../../src/sanitize/maskers.js';
import { applyRules } from '../../src/sanitize/apply.js';
import { BATCH_ATTEMPTS, batchKeyColumn } from '../../src/sanitize/batches.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import type { Fragment } from '../../src/sql/fragment.js';
import type { RuleSet, TableRule } from '../../src/sanitize/rules.js';
import { silentProgress, type Progress } from '../../src/ui/progress.js';
import { RecordingEngine } from '../mssql/recording-engine.js';
import { goldenMismatch } from '../mssql/golden.js';

const SAFE = 'rehearsal.invalid';
const SECRET = Buffer.from('batch-test-secret');

function rules(...list: Omit<TableRule, 'index'>[]): RuleSet {
  return {
    file: 'rules.yaml',
    vendorScripts: [],
    rules: list.map((rule, index) => ({ ...rule, index })),
    errorAt: () => {
      throw new Error('not used');
    },
  };
}

const CONTACTS = rules({ table: 'contacts', filters: [{ op: 'like', column: 'kind', value: 'cust%' }], columns: [{ column: 'email', strategy: { kind: 'email' } }, { column: 'name', strategy: { kind: 'full-name' } }] });

/** 2,500 contacts with gaps in their ids, every fifth one staff (the rule's filter skips those). */
function contactsDb(dir: string, name: string, definition = 'CREATE TABLE contacts (id INTEGER PRIMARY KEY, kind TEXT, email TEXT, name TEXT)'): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec(definition);
  const insert = db.prepare('INSERT INTO contacts (id, kind, email, name) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 2500; i++) insert.run(i * 3, i % 5 === 0 ? 'staff' : 'customer', `person${i}@northwind.example`, `Person ${i} O'Brien`);
  })();
  db.close();
  return path;
}

function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM contacts ORDER BY id').all();
  } finally {
    db.close();
  }
}

/** Counts what the masking reports, so a test can see batches and retries happen. */
function recordingProgress(): Progress & { ticks: number[]; details: string[] } {
  const ticks: number[] = [];
  const details: string[] = [];
  return { ...silentProgress, ticks, details, tick: (_label, done) => void ticks.push(done), detail: (message) => void details.push(message) };
}

async function mask(path: string, batchRows: number, progress: Progress = silentProgress, prepare?: (engine: SqliteEngine) => void): Promise<number> {
  const engine = SqliteEngine.open(path);
  try {
    prepare?.(engine);
    const [result] = await applyRules(engine, CONTACTS, createMasker(SECRET, SAFE), SAFE, progress, { batchRows });
    return result?.rows ?? -1;
  } finally {
    await engine.close();
  }
}

t.test('masking in batches of 1,000 gives exactly the rows one statement gives, batch by batch in key order', async (t) => {
  const dir = t.testdir();
  const whole = contactsDb(dir, 'whole.db');
  const batched = contactsDb(dir, 'batched.db');
  const progress = recordingProgress();
  t.equal(await mask(whole, 10_000_000), 2000, 'the filter keeps staff out');
  t.equal(await mask(batched, 1000, progress), 2000);
  t.same(rows(batched), rows(whole), 'the same masked values, the same rows left alone');
  t.not(JSON.stringify(rows(batched)), JSON.stringify(rows(contactsDb(dir, 'original.db'))), 'values really changed');
  t.same(progress.ticks, [1000, 2000, 2500], 'three batches, progress after each');
  t.match(progress.details.at(-1), /contacts: 2,000 rows .* 3 batches/);
});

t.test('a batch that fails is tried again from the last committed batch; the result is as if it never failed', async (t) => {
  const dir = t.testdir();
  const clean = contactsDb(dir, 'clean.db');
  const flaky = contactsDb(dir, 'flaky.db');
  await mask(clean, 1000);
  const progress = recordingProgress();
  let tries = 0;
  t.equal(await mask(flaky, 1000, progress, (engine) => failOnSecondBatch(engine, () => ++tries === 1)), 2000, 'every row masked once, none twice');
  t.equal(tries, 2, 'the second batch failed once, then went through');
  t.same(rows(flaky), rows(clean));
  t.match(progress.details.join('\n'), /a batch failed \(connection reset\); trying it again from the last committed batch \(2 of 3\)/);
});

t.test(`a batch that keeps failing stops sanitize after ${BATCH_ATTEMPTS} tries, earlier batches committed`, async (t) => {
  const dir = t.testdir();
  const path = contactsDb(dir, 'broken.db');
  let tries = 0;
  await t.rejects(mask(path, 1000, silentProgress, (engine) => failOnSecondBatch(engine, () => ++tries > 0)), /connection reset/);
  t.equal(tries, BATCH_ATTEMPTS, 'the second batch was tried three times');
  const masked = (rows(path) as { email: string }[]).filter((r) => r.email.endsWith(`@${SAFE}`)).length;
  t.equal(masked, 800, 'the first batch (1,000 rows, 800 of them customers) stays committed; nothing of the failed one');
});

t.test('the key a table is walked by: rowid, an INTEGER PRIMARY KEY, a WITHOUT ROWID key; none when the rule rewrites it', async (t) => {
  const dir = t.testdir();
  const db = new Database(join(dir, 'keys.db'));
  db.exec(`CREATE TABLE plain (email TEXT);
    CREATE TABLE numbered (id INTEGER PRIMARY KEY, email TEXT);
    CREATE TABLE texted (code TEXT PRIMARY KEY, email TEXT) WITHOUT ROWID;
    CREATE TABLE paired (a TEXT, b TEXT, email TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
    CREATE TABLE by_email (email TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID;`);
  db.close();
  const engine = SqliteEngine.open(join(dir, 'keys.db'));
  t.teardown(() => engine.close());
  t.equal(await batchKeyColumn(engine, 'plain', ['email']), 'rowid');
  t.equal(await batchKeyColumn(engine, 'numbered', ['email']), 'id');
  t.equal(await batchKeyColumn(engine, 'texted', ['email']), 'code');
  t.equal(await batchKeyColumn(engine, 'paired', ['email']), undefined, 'two-column key: one statement');
  t.equal(await batchKeyColumn(engine, 'by_email', ['email']), undefined, 'the masked column is the key: one statement');
});

t.test('a text key and a table without a usable key both mask fully', async (t) => {
  const dir = t.testdir();
  const textKey = contactsDb(dir, 'text.db', 'CREATE TABLE contacts (id TEXT PRIMARY KEY, kind TEXT, email TEXT, name TEXT) WITHOUT ROWID');
  const emailKey = contactsDb(dir, 'email.db', 'CREATE TABLE contacts (id INTEGER, kind TEXT, email TEXT PRIMARY KEY, name TEXT) WITHOUT ROWID');
  const progress = recordingProgress();
  t.equal(await mask(textKey, 700), 2000);
  t.equal(await mask(emailKey, 700, progress), 2000);
  t.match(progress.details.join('\n'), /no single-column key the rule leaves alone, masked in one statement/);
  for (const path of [textKey, emailKey]) {
    const left = (rows(path) as { kind: string; email: string }[]).filter((r) => r.kind === 'customer' && !r.email.endsWith(`@${SAFE}`));
    t.same(left, [], `${path}: every customer masked`);
  }
});

t.test('on SQL Server: SIMPLE recovery first, the key from the primary key, each batch bounded by OFFSET/FETCH (golden)', async (t) => {
  let boundary = 0;
  const recorder = new RecordingEngine((statement) => {
    const text = tsqlDialect.render(statement).text;
    if (text.includes('sys.indexes')) return [{ key_column: 'ContactID' }];
    if (text.includes('sys.partitions')) return [{ row_count: 2500 }];
    if (text.includes('FETCH NEXT')) return ++boundary <= 2 ? [{ upper_key: boundary * 1000 }] : [];
    return [];
  });
  const ruleSet = rules({ table: 'Contacts', filters: [], columns: [{ column: 'Email', strategy: { kind: 'keep' } }] });
  await applyRules(recorder, ruleSet, createMasker(SECRET, SAFE), SAFE, silentProgress, { batchRows: 1000 });
  const relevant = recorder.statements.filter((s) => !/_rehearsal_fake_/.test(tsqlDialect.render(s).text));
  const mismatch = goldenMismatch('sanitize-batches.sql', relevant.map((fragment: Fragment, i) => ({ name: `statement ${i + 1}`, fragment })));
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/sanitize-batches.sql');
  for (const statement of relevant) t.same(findNonTsql(tsqlDialect.render(statement).text), [], 'T-SQL only');
  t.match(tsqlDialect.render(relevant[0] as Fragment).text, /^ALTER DATABASE CURRENT SET RECOVERY SIMPLE$/, 'the recovery model is switched before any rule');
});

/**
 * A trigger that aborts the UPDATE of the second batch's first row (id 3003) whenever `fails()`
 * says so, as a dropped connection would: the batch's transaction rolls back whole.
 */
function failOnSecondBatch(engine: SqliteEngine, fails: () => boolean): void {
  engine.connection.function('rehearsal_test_fail', (id: unknown) => (Number(id) === 3003 && fails() ? 1 : 0));
  engine.connection.exec("CREATE TEMP TRIGGER fail_batch BEFORE UPDATE ON contacts WHEN rehearsal_test_fail(NEW.id) = 1 BEGIN SELECT RAISE(ABORT, 'connection reset'); END");
}
