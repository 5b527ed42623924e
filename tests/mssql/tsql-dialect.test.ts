import t from 'tap';
import { sql, ident, join } from '../../src/sql/fragment.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { scanTsql } from '../../src/sql/tsql-lexer.js';
import { updateFor } from '../../src/sanitize/apply.js';
import type { TableRule } from '../../src/sanitize/rules.js';
import { UserError } from '../../src/errors.js';
import { fileListQuery, rdsRestoreStatement, restoreStatement } from '../../src/engine/mssql/restore-sql.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { tsqlParseError } from './golden.js';
import { RecordingEngine } from './recording-engine.js';

t.test('identifiers are bracket-quoted with ] doubled', async (t) => {
  t.equal(tsqlDialect.quoteIdentifier('accounts'), '[accounts]');
  t.equal(tsqlDialect.quoteIdentifier('Next Bill Date'), '[Next Bill Date]');
  t.equal(tsqlDialect.quoteIdentifier('a]b'), '[a]]b]');
  t.equal(tsqlDialect.quoteIdentifier('[x]'), '[[x]]]');
  t.equal(tsqlDialect.render(sql`SELECT * FROM ${ident('dbo', 'eventlog')}`).text, 'SELECT * FROM [dbo].[eventlog]');
});

t.test('names SQL Server cannot hold are refused with a clear error', async (t) => {
  t.throws(() => tsqlDialect.quoteIdentifier('bad\u0000name'), UserError);
  t.throws(() => tsqlDialect.quoteIdentifier(''), UserError);
  t.throws(() => tsqlDialect.quoteIdentifier('x'.repeat(129)), { message: /1 to 128 characters .*129 characters/ });
  t.equal(tsqlDialect.quoteIdentifier('x'.repeat(128)), `[${'x'.repeat(128)}]`, '128 characters is the limit, inclusive');
});

t.test('selectFirst uses TOP and refuses a limit that is not a whole number', async (t) => {
  t.equal(tsqlDialect.render(tsqlDialect.selectFirst(3, sql`${ident('a')}`, sql`FROM ${ident('t')}`)).text, 'SELECT TOP (3) [a] FROM [t]');
  t.throws(() => tsqlDialect.selectFirst(1.5, sql`1`, sql``));
  t.throws(() => tsqlDialect.selectFirst(-1, sql`1`, sql``));
});

t.test('the lint rejects constructs from other dialects and ignores them in strings and comments', async (t) => {
  const bad: [string, string][] = [
    ['SELECT [a] FROM [t] LIMIT 5', 'LIMIT'],
    ['SELECT `a` FROM [t]', 'backtick'],
    ["SELECT [a] || [b] FROM [t]", '||'],
    ['SELECT [a] FROM [t] WHERE [b] = ?', '?'],
    ['SELECT "a" FROM [t]', 'double-quoted identifier'],
    ['SELECT [a]\nFROM [t]\nlimit 1', 'LIMIT'],
  ];
  for (const [text, construct] of bad) t.same(findNonTsql(text).map((p) => p.construct), [construct], text);
  t.equal(findNonTsql('SELECT [a]\nFROM [t]\nlimit 1')[0]?.line, 3, 'reports the line');
  const fine = [
    "SELECT 'LIMIT `x` || ? \"y\"' AS [note] FROM [t]",
    'SELECT [LIMIT], [a`b], [c?] FROM [t] -- LIMIT ? `x` ||',
    '/* LIMIT 5 */ SELECT TOP (5) [a] FROM [t] WHERE [b] = @p0',
    'SELECT [unlimited], [delimit] FROM [t]',
  ];
  for (const text of fine) t.same(findNonTsql(text), [], text);
});

/** Hostile text a plan or rule file might carry, as values and as names. */
const HOSTILE = [
  "O'Brien",
  "'); DROP TABLE accounts; --",
  'a]; DROP TABLE [accounts',
  '"quoted" `back` [bracket]',
  'ünïcødé — 名前 🙂',
  '@p0 ? || LIMIT 1',
  'x'.repeat(10_240),
];

t.test('hostile values in sanitize rules end up as parameters, hostile names as escaped identifiers', async (t) => {
  for (const hostile of HOSTILE) {
    const name = hostile.slice(0, 128);
    const rule: TableRule = {
      table: name,
      index: 0,
      filters: [
        { column: name, op: 'eq', value: hostile },
        { column: 'key', op: 'like', value: hostile },
        { column: 'kind', op: 'in', values: [hostile, 7] },
      ],
      columns: [{ column: name, strategy: { kind: 'constant', value: hostile } }, { column: 'card_token', strategy: { kind: 'null' } }],
    };
    const { text, params } = tsqlDialect.render(updateFor(rule));
    const label = JSON.stringify(hostile.slice(0, 30));
    t.same(Object.values(params).filter((v) => v === hostile).length, 4, `${label}: every value is a parameter, unchanged`);
    const code = scanTsql(text)
      .filter((s) => s.kind === 'code')
      .map((s) => text.slice(s.start, s.end))
      .join(' ');
    t.match(code, /^UPDATE\s+SET\s+=\s+@p0, \s+= NULL WHERE\s+= @p1 AND\s+LIKE @p2 AND\s+IN \(@p3, @p4\)$/, `${label}: outside brackets only SQL the product wrote`);
    const names = scanTsql(text)
      .filter((s) => s.kind === 'bracketed')
      .map((s) => text.slice(s.start + 1, s.end - 1).replaceAll(']]', ']'));
    t.same(names, [name, name, 'card_token', name, 'key', 'kind'], `${label}: identifiers round-trip through bracket quoting`);
    t.same(findNonTsql(text), [], `${label}: no constructs from other dialects`);
  }
});

t.test('with plain names the same statement parses as T-SQL', async (t) => {
  const rule: TableRule = {
    table: 'settings',
    index: 0,
    filters: [{ column: 'key', op: 'like', value: "gateway.%.api_key'; --" }],
    columns: [{ column: 'value', strategy: { kind: 'constant', value: 'rehearsal-test-key' } }],
  };
  const { text } = tsqlDialect.render(updateFor(rule));
  t.equal(tsqlParseError(text), undefined, text);
});

t.test('join and nested fragments number parameters in order', async (t) => {
  const { text, params } = tsqlDialect.render(sql`SELECT ${join([sql`${1}`, sql`${'a'}`, sql`${null}`], ', ')}`);
  t.equal(text, 'SELECT @p0, @p1, @p2');
  t.same(params, { p0: 1, p1: 'a', p2: null });
});

t.test('hostile plan values (backup path, S3 key, logical file names, marker source) are only ever parameters', async (t) => {
  for (const hostile of HOSTILE) {
    const label = JSON.stringify(hostile.slice(0, 30));
    const statements = [
      restoreStatement('rehearsal_run_1', hostile, [{ logicalName: hostile, physicalPath: `D:\\Data\\${hostile}` }]),
      fileListQuery(hostile),
      rdsRestoreStatement('rehearsal_run_1', hostile),
    ];
    for (const statement of statements) {
      const { text, params } = tsqlDialect.render(statement);
      t.notOk(text.includes(hostile), `${label}: not in the SQL text`);
      t.ok(Object.values(params).some((v) => typeof v === 'string' && v.includes(hostile)), `${label}: bound as a parameter`);
      t.same(findNonTsql(text), [], `${label}: T-SQL only`);
    }
    const engine = new RecordingEngine();
    await writeRunMarker(engine, { runId: 'run-1', createdAt: hostile, source: hostile });
    const insert = engine.statements[1];
    t.ok(insert);
    if (insert === undefined) continue;
    const { text, params } = tsqlDialect.render(insert);
    t.equal(text, 'INSERT INTO [_rehearsal_run] ([run_id], [created_at], [source]) VALUES (@p0, @p1, @p2)', `${label}: marker text fixed`);
    t.same(params, { p0: 'run-1', p1: hostile, p2: hostile });
  }
});
