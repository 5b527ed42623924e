import t from 'tap';
import Database from 'better-sqlite3';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import type { Fragment } from '../../src/sql/fragment.js';
import type { Row } from '../../src/engine/types.js';
import { compareStates, sqliteComparisonBackend, type ComparisonBackend, type DifferentialSettings, type ResultRow, type StateDifferential } from '../../src/differential/state-differential.js';
import { computeStateDifferentialOnServer } from '../../src/differential/state-differential-tsql.js';
import { accountTsql, addedRowsTsql, changedRowsTsql, deletedRowsTsql, highestKeysTsql, ThreePartNames } from '../../src/differential/compare-tsql.js';
import { accountRoute } from '../../src/differential/account-paths.js';
import { addedContent } from '../../src/differential/added-content.js';
import { tableShapeQueries } from '../../src/differential/table-shapes-tsql.js';
import { readTableShapes, type TableShape } from '../../src/differential/table-shapes.js';
import { differentialRules } from '../../src/differential/rules.js';
import { isToolTable } from '../../src/run/tool-tables.js';
import { productionBillRun, stateFiles } from '../helpers/state-fixture.js';
import { RecordingEngine } from './recording-engine.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from './golden.js';

const DATABASES = { main: 'rehearsal_20261101_015500_a1b2c3', pre: 'rehearsal_20261101_015500_a1b2c3_pre', prod: 'rehearsal_20261101_015500_a1b2c3_production' };
const SETTINGS: DifferentialSettings = {
  rules: differentialRules([]),
  accounts: { table: 'accounts', key: 'account_number' },
  releases: { main: '7.5.0', prod: '7.4.2' },
};

/** The billed copy of one scenario, with the copy before the bill run attached as `pre` and production's as `prod`. */
function fixture(dir: string, rehearsal: string): Database.Database {
  const { billed, beforeBillRun: before, productionMasked: production } = stateFiles(dir, rehearsal);
  const db = new Database(billed, { readonly: true });
  db.prepare('ATTACH DATABASE ? AS pre').run(before);
  db.prepare('ATTACH DATABASE ? AS prod').run(production);
  return db;
}

type Kind = 'changed' | 'deleted' | 'added';

/** The SQLite comparison, keeping the rows each query returned so the fake server can answer the same. */
function recordingSqlite(db: Database.Database): { backend: ComparisonBackend; answers: Map<string, ResultRow[]> } {
  const inner = sqliteComparisonBackend(db, SETTINGS.accounts, SETTINGS.releases);
  const answers = new Map<string, ResultRow[]>();
  const keep = (kind: Kind, table: string, rows: Iterable<ResultRow> | AsyncIterable<ResultRow>): ResultRow[] => {
    const all = [...(rows as Iterable<ResultRow>)];
    answers.set(`${kind} ${table}`, all);
    return all;
  };
  return {
    answers,
    backend: {
      ...inner,
      changedRows: (shape, compared, shapes) => keep('changed', shape.name, inner.changedRows(shape, compared, shapes)),
      deletedRows: (shape, shapes) => keep('deleted', shape.name, inner.deletedRows(shape, shapes)),
      addedRows: (shape, content, shapes) => keep('added', shape.name, inner.addedRows(shape, content, shapes)),
    },
  };
}

/** sys.* rows describing the fixture's tables as SQL Server would: INTEGER PRIMARY KEY as an IDENTITY int, TEXT as nvarchar. */
function catalogRows(shapes: readonly TableShape[], db: Database.Database): { columns: Row[]; uniqueKeys: Row[]; foreignKeys: Row[] } {
  const columns: Row[] = [];
  const uniqueKeys: Row[] = [];
  const foreignKeys: Row[] = [];
  for (const shape of shapes) {
    const declared = new Map((db.prepare('SELECT name, type FROM pragma_table_info(?)').all(shape.name) as { name: string; type: string }[]).map((c) => [c.name, c.type]));
    for (const column of shape.columns) {
      const integer = /^integer$/i.test(declared.get(column) ?? '');
      const key = shape.primaryKey.indexOf(column);
      columns.push({ table_name: shape.name, schema_name: 'dbo', column_name: column, type_name: integer ? 'int' : 'nvarchar', max_length: integer ? 4 : 800, precision: integer ? 10 : 0, scale: 0, collation_name: integer ? null : 'SQL_Latin1_General_CP1_CI_AS', is_identity: shape.surrogateKey && key === 0, key_ordinal: key < 0 ? null : key + 1 });
    }
    shape.uniqueKeys.forEach((cols, i) => cols.forEach((column) => uniqueKeys.push({ table_name: shape.name, index_id: i + 2, column_name: column })));
    for (const fk of shape.foreignKeys) foreignKeys.push({ table_name: shape.name, column_name: fk.column, referenced_table: fk.table, referenced_column: fk.references });
  }
  return { columns, uniqueKeys, foreignKeys };
}

const text = (f: Fragment): string => tsqlDialect.render(f).text;

/**
 * A SQL Server that runs nothing: catalogue queries get the fixture's tables, each comparison query
 * the rows SQLite returned for the same table and question, highest keys those of the SQLite files.
 */
function fakeServer(db: Database.Database, answers: ReadonlyMap<string, ResultRow[]>): (statement: Fragment) => Row[] {
  const shapes = (schema: string): TableShape[] => readTableShapes(db, schema, isToolTable);
  const catalogue = new Map(Object.entries(DATABASES).map(([schema, database]) => [database, { queries: tableShapeQueries(database), rows: catalogRows(shapes(schema), db) }]));
  const quoted = (where: keyof typeof DATABASES): string => `\\[${DATABASES[where]}\\]\\.\\[dbo\\]\\.\\[(\\w+)\\]`;
  return (statement) => {
    const sqlText = text(statement);
    for (const { queries, rows } of catalogue.values()) {
      if (sqlText === text(queries.columns)) return rows.columns;
      if (sqlText === text(queries.uniqueKeys)) return rows.uniqueKeys;
      if (sqlText === text(queries.foreignKeys)) return rows.foreignKeys;
    }
    const answer = (kind: Kind, pattern: RegExp): Row[] | undefined => {
      const table = pattern.exec(sqlText)?.[1];
      return table === undefined ? undefined : ((answers.get(`${kind} ${table}`) ?? []) as Row[]);
    };
    if (sqlText.startsWith('SELECT (SELECT COALESCE(MAX(')) {
      const table = new RegExp(quoted('pre')).exec(sqlText)?.[1] ?? '';
      const highest = (schema: string): number => Number(db.prepare(`SELECT coalesce(max(id), 0) FROM ${schema}."${table}"`).pluck().get());
      return [{ pre: highest('pre'), main: highest('main'), prod: highest('prod') }];
    }
    const rows =
      (sqlText.includes('AS in_rehearsal') && sqlText.includes('UNION ALL') ? answer('added', new RegExp(`FROM ${quoted('main')} x WHERE`)) : undefined) ??
      (sqlText.includes('AS in_rehearsal') ? answer('deleted', new RegExp(`FROM ${quoted('pre')} p WHERE`)) : undefined) ??
      answer('changed', new RegExp(`JOIN ${quoted('prod')} x ON`));
    if (rows === undefined) throw new Error(`the fake server does not know this statement: ${sqlText.slice(0, 200)}`);
    return rows;
  };
}

/** What a report is made of: groups with their rows, accounts and example, and the overall figures. */
function findings(result: StateDifferential): unknown {
  return {
    rows: result.summary.rows,
    accounts: [...result.summary.accounts].sort(),
    groups: result.summary.sortedGroups().map((g) => ({ table: g.table, what: g.what, rows: g.rows, accounts: [...g.accounts].sort(), example: g.example })),
    tables: result.tablesCompared,
    schema: result.schemaDifferences,
    raw: result.rawReferences,
  };
}

async function bothEngines(dir: string, rehearsal: string): Promise<{ sqlite: StateDifferential; server: StateDifferential; sent: Fragment[] }> {
  const db = fixture(dir, rehearsal);
  try {
    const { backend, answers } = recordingSqlite(db);
    const sqlite = await compareStates(backend, SETTINGS);
    const engine = new RecordingEngine(fakeServer(db, answers));
    const server = await computeStateDifferentialOnServer(engine, DATABASES, SETTINGS);
    return { sqlite, server, sent: engine.statements };
  } finally {
    db.close();
  }
}

t.test('golden T-SQL of the state differential on one server: catalogue views, three-part names, only differing rows back', async (t) => {
  const { sent } = await bothEngines(t.testdir(), productionBillRun('7.5.0', '2026-12-02T04:22:58.054Z'));
  const catalogue = sent.slice(0, 9);
  const comparisons = sent.slice(9);
  const name = (f: Fragment, i: number): string => {
    const s = text(f);
    const database = Object.values(DATABASES).find((d) => s.includes(`FROM [${d}].[sys].[tables]`) || s.includes(`FROM [${d}].[sys].[foreign_keys]`));
    const view = s.includes('[sys].[foreign_keys]') ? 'foreign keys' : s.includes('is_unique = 1') ? 'unique keys' : 'columns and primary key';
    return database !== undefined ? `${view} of ${database}` : `statement ${i + 1}`;
  };
  const what = (f: Fragment, i: number): string => {
    const s = text(f);
    const table = /\.\[dbo\]\.\[(\w+)\]/.exec(s)?.[1] ?? '?';
    if (s.startsWith('SELECT (SELECT COALESCE(MAX(')) return `highest keys of ${table}`;
    if (s.includes('UNION ALL')) return `rows added to ${/FROM \[[^\]]+\]\.\[dbo\]\.\[(\w+)\] x WHERE/.exec(s)?.[1] ?? table}`;
    if (s.includes('AS in_rehearsal')) return `rows of ${/FROM \[[^\]]+_pre\]\.\[dbo\]\.\[(\w+)\] p WHERE/.exec(s)?.[1] ?? table} deleted by one side`;
    if (s.includes(' JOIN ')) return `rows of ${/FROM \[[^\]]+\]\.\[dbo\]\.\[(\w+)\] p JOIN/.exec(s)?.[1] ?? table} changed`;
    return `statement ${i + 1}`;
  };
  const golden: GoldenStatement[] = [
    ...catalogue.map((fragment, i) => ({ name: name(fragment, i), fragment })),
  ];
  const compared: GoldenStatement[] = comparisons.map((fragment, i) => ({ name: what(fragment, i), fragment }));
  const shapes = goldenMismatch('table-shapes.sql', golden);
  t.equal(shapes?.actual, shapes?.expected, 'matches tests/golden/tsql/table-shapes.sql');
  const server = goldenMismatch('state-differential-server.sql', compared);
  t.equal(server?.actual, server?.expected, 'matches tests/golden/tsql/state-differential-server.sql');
  for (const { name: n, fragment } of [...golden, ...compared]) {
    const { text: s, params } = tsqlDialect.render(fragment);
    t.same(findNonTsql(s), [], `${n}: no constructs from other dialects`);
    for (const release of ['7.5.0', '7.4.2']) t.notOk(s.includes(release), `${n}: the release is a parameter, not text`);
    if (s.includes('REPLACE(')) t.ok(Object.values(params).includes('7.5.0'), `${n}: the release is bound`);
  }
  for (const { name: n, fragment } of [...golden, ...compared]) t.equal(tsqlParseError(text(fragment)), undefined, `${n}: parses as T-SQL`);
  t.ok(comparisons.every((f) => !/\[(main|pre|prod)\]\./.test(text(f))), 'no SQLite schema name is left in the SQL Server statements');
  t.ok(comparisons.some((f) => text(f).includes(`[${DATABASES.pre}].[dbo].[usage_records]`)), 'the pre-bill-run database is named by three parts');
});

/** A table with the types SQL Server adds: typed timestamps, GUIDs, bits, bytes and the engine's rowversion. */
const TYPED: TableShape = {
  name: 'payments',
  schema: 'billing',
  columns: ['id', 'account_id', 'approved_at', 'gateway_reference', 'settled', 'receipt', 'row_version', 'note'],
  primaryKey: ['id'],
  surrogateKey: true,
  foreignKeys: [{ column: 'account_id', table: 'accounts', references: 'id' }],
  uniqueKeys: [['gateway_reference']],
  columnTypes: new Map([
    ['id', 'int 4 10 0 -'],
    ['account_id', 'int 4 10 0 -'],
    ['approved_at', 'datetime2 8 27 7 -'],
    ['gateway_reference', 'uniqueidentifier 16 0 0 -'],
    ['settled', 'bit 1 1 0 -'],
    ['receipt', 'varbinary -1 0 0 -'],
    ['row_version', 'timestamp 8 0 0 -'],
    ['note', 'ntext 16 0 0 SQL_Latin1_General_CP1_CI_AS'],
  ]),
};

t.test('golden T-SQL for typed columns: date-times with a time of day, GUIDs, bits, bytes, rowversion and legacy text', async (t) => {
  const accounts: TableShape = { name: 'accounts', schema: 'billing', columns: ['id', 'account_number'], primaryKey: ['id'], surrogateKey: true, foreignKeys: [], uniqueKeys: [['account_number']], columnTypes: new Map([['id', 'int 4 10 0 -'], ['account_number', 'nvarchar 40 0 0 Latin1_General_CI_AS']]) };
  const shapes = new Map([[TYPED.name, TYPED], [accounts.name, accounts]]);
  const names = new ThreePartNames(DATABASES, shapes);
  const route = accountRoute(shapes, TYPED.name, SETTINGS.accounts);
  const compared = TYPED.columns.filter((c) => c !== 'id');
  const { content } = addedContent(TYPED, TYPED.columns, shapes);
  const golden: GoldenStatement[] = [
    { name: 'changed payments', fragment: changedRowsTsql(TYPED, compared, accountTsql(route, 'p', 'main', names, SETTINGS.accounts), names, SETTINGS.releases) },
    { name: 'payments deleted by one side', fragment: deletedRowsTsql(TYPED, accountTsql(route, 'p', 'pre', names, SETTINGS.accounts), names) },
    { name: 'payments added', fragment: addedRowsTsql(TYPED, content, (side) => accountTsql(route, 'x', side, names, SETTINGS.accounts), names, SETTINGS.releases) },
    { name: 'highest keys of payments', fragment: highestKeysTsql(TYPED, names) },
  ];
  const mismatch = goldenMismatch('state-differential-types.sql', golden);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/state-differential-types.sql');
  for (const { name: n, fragment } of golden) {
    const s = text(fragment);
    t.same(findNonTsql(s), [], `${n}: no constructs from other dialects`);
    t.equal(tsqlParseError(s), undefined, `${n}: parses as T-SQL`);
    t.ok(s.includes(`[${DATABASES.main}].[billing].[payments]`) || s.includes(`[${DATABASES.pre}].[billing].[payments]`), `${n}: the catalogue's schema names the table`);
  }
  const changed = text(golden[0]?.fragment as Fragment);
  t.match(changed, /WHEN CAST\(\[p\]\.\[approved_at\] AS TIME\) <> '00:00:00' THEN N'<time>'/, 'a date-time with a time of day is a wall-clock timestamp');
  t.match(changed, /CASE WHEN \[p\]\.\[gateway_reference\] IS NULL THEN NULL ELSE N'<guid>' END/, 'a uniqueidentifier is generated');
  t.match(changed, /CASE WHEN \[p\]\.\[row_version\] IS NULL THEN NULL ELSE N'<rowversion>' END/, "rowversion is the engine's counter");
  t.match(changed, /CONVERT\(VARCHAR\(MAX\), CAST\(\[p\]\.\[receipt\] AS VARBINARY\(MAX\)\), 1\)/, 'bytes travel as 0x text');
  t.match(changed, /CAST\(\[p\]\.\[settled\] AS TINYINT\)/, 'a bit is a number');
  t.match(changed, /CAST\(\[p\]\.\[note\] AS NVARCHAR\(MAX\)\)/, 'legacy ntext is compared as NVARCHAR(MAX)');
});

const SCENARIOS: { name: string; rehearsal: string; fails: boolean }[] = [
  { name: 'the same bill run, another clock and release', rehearsal: productionBillRun('7.5.0', '2026-12-02T04:22:58.054Z'), fails: false },
  { name: 'usage left unrated', rehearsal: productionBillRun('7.5.0').replace('UPDATE usage_records SET rated = 1;', 'UPDATE usage_records SET rated = 1 WHERE id = 1;'), fails: true },
  { name: 'a missing ledger row', rehearsal: productionBillRun('7.5.0').replace(", (1001, 2, 'invoice', 540, 'INV-ACC-2')", ''), fails: true },
  { name: 'an invoice header inconsistent with its lines', rehearsal: productionBillRun('7.5.0').replace("(11, 2, 'INV-ACC-2', 500, 540", "(11, 2, 'INV-ACC-2', 540, 540"), fails: true },
  { name: 'an invoice line charged twice', rehearsal: `${productionBillRun('7.5.0')} INSERT INTO invoice_items VALUES (104, 11, 'recurring', 500);`, fails: true },
  { name: 'a row deleted that production kept', rehearsal: `${productionBillRun('7.5.0')} DELETE FROM usage_records WHERE id = 2;`, fails: true },
  { name: 'a new kind of event', rehearsal: `${productionBillRun('7.5.0')} INSERT INTO event_log VALUES (3, '2026-12-02T04:23:00Z', 'warning', 'NullReferenceException in TaxEngine');`, fails: true },
];

for (const scenario of SCENARIOS) {
  t.test(`${scenario.name}: the SQL Server path makes the same findings of the same rows as SQLite`, async (t) => {
    const { sqlite, server } = await bothEngines(t.testdir(), scenario.rehearsal);
    t.equal(sqlite.summary.rows > 0, scenario.fails, `SQLite ${scenario.fails ? 'finds differences' : 'finds none'}`);
    t.same(findings(server), findings(sqlite), 'same groups, rows, accounts and examples');
    t.same(server.engineRules.length > 0, true, 'the SQL Server rules are listed with the report');
  });
}

t.test('a column whose type differs between the sides is a schema difference, not a row comparison', async (t) => {
  const db = fixture(t.testdir(), productionBillRun('7.5.0'));
  try {
    const { backend, answers } = recordingSqlite(db);
    await compareStates(backend, SETTINGS);
    const answer = fakeServer(db, answers);
    const retyped = new RecordingEngine((f) => answer(f).map((row) => (text(f).includes(`[${DATABASES.prod}].[sys].[columns]`) && row['table_name'] === 'invoices' && row['column_name'] === 'total_cents' ? { ...row, type_name: 'bigint', max_length: 8, precision: 19 } : row)));
    const result = await computeStateDifferentialOnServer(retyped, DATABASES, SETTINGS);
    t.match(result.schemaDifferences, [/^invoices \(column type\(s\) differ from production's result: total_cents \(int 4 10 0 - against bigint 8 19 0 -\)\)$/]);
    t.notOk(result.tablesCompared.includes('invoices'), 'its rows are not compared byte by byte');
  } finally {
    db.close();
  }
});
