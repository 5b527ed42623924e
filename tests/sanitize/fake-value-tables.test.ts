import t from 'tap';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { sqliteDialect } from '../../src/sql/dialect.js';
import { createMasker } from '../../src/sanitize/maskers.js';
import { prepareMasking } from '../../src/sanitize/apply.js';
import { FAKE_KINDS, FAKE_VALUES_PER_KIND, fakeTableName } from '../../src/sanitize/fake-values.js';
import { TSQL_ROWS_PER_INSERT, fakeValueStatements } from '../../src/sanitize/fake-value-tables.js';
import { RecordingEngine } from '../mssql/recording-engine.js';

/** SQL Server's limits for one request: rows in a VALUES list, parameters. */
const MAX_VALUES_ROWS = 1000;
const MAX_PARAMETERS = 2100;

const masker = createMasker(Buffer.from('fake-value-tables-test-secret'), 'rehearsal.invalid');

t.test('SQL Server: every fake value of every kind is loaded once, in order, without OPENJSON and within the request limits', async (t) => {
  const recorder = new RecordingEngine();
  await prepareMasking(recorder, masker);
  const rendered = recorder.statements.map((s) => tsqlDialect.render(s));
  t.notOk(rendered.some(({ text }) => /OPENJSON/i.test(text)), 'no OPENJSON: it needs compatibility level 130, which restored production databases often lack');
  t.ok(TSQL_ROWS_PER_INSERT <= MAX_VALUES_ROWS);
  for (const kind of FAKE_KINDS) {
    const table = `[${fakeTableName(kind)}]`;
    const inserts = rendered.filter(({ text }) => text.startsWith(`INSERT INTO ${table}`));
    t.equal(inserts.length, Math.ceil(FAKE_VALUES_PER_KIND / TSQL_ROWS_PER_INSERT), `${kind}: batches of at most ${TSQL_ROWS_PER_INSERT} rows`);
    const loaded = new Map<number, unknown>();
    let duplicates = 0;
    for (const { text, params } of inserts) {
      const rows = [...text.matchAll(/\((\d+), (@p\d+)\)/g)];
      t.ok(rows.length <= MAX_VALUES_ROWS && Object.keys(params).length <= MAX_PARAMETERS, `${kind}: ${rows.length} rows, ${Object.keys(params).length} parameters in one request`);
      for (const [, idx, param] of rows) {
        if (loaded.has(Number(idx))) duplicates++;
        loaded.set(Number(idx), params[param!.slice(1)]);
      }
    }
    t.equal(duplicates, 0, `${kind}: each index once`);
    t.same(
      [...loaded.keys()].sort((a, b) => a - b),
      Array.from({ length: FAKE_VALUES_PER_KIND }, (_, i) => i),
      `${kind}: indexes 0 to ${FAKE_VALUES_PER_KIND - 1}, as the masking lookups expect`,
    );
    t.same(
      Array.from({ length: FAKE_VALUES_PER_KIND }, (_, i) => loaded.get(i)),
      masker.keys.fakeValues[kind],
      `${kind}: each index holds the value the JavaScript masker picks for it`,
    );
  }
});

t.test('SQLite keeps loading each kind from one JSON parameter', async (t) => {
  const statements = fakeValueStatements('sqlite', masker).map((s) => sqliteDialect.render(s));
  t.equal(statements.length, FAKE_KINDS.length * 2);
  for (const { text } of statements.filter((s) => s.text.startsWith('INSERT'))) t.match(text, /FROM json_each\(/);
});
