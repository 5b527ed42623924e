import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import nodeSqlParser from 'node-sql-parser';
import { portable } from '../../sample-platform/service/database/port.js';
import { STATEMENTS } from '../../sample-platform/service/statements.js';
import { lint, parseError, sqliteValueCount, tsqlValueCount, tsqlValuesContiguous } from './tsql-check.js';

const schemaFile = (name: string): string => readFileSync(fileURLToPath(new URL(`../../sample-platform/schema/${name}`, import.meta.url)), 'utf8');
const TSQL_SCHEMA = schemaFile('schema.mssql.sql');
const SQLITE_SCHEMA = schemaFile('schema.sql');

/** node-sql-parser 5.4's transactsql grammar has no OUTPUT clause; the rest of the statement it can check. */
const OUTPUT_CLAUSE = /\s+OUTPUT INSERTED\.id(?=\s+VALUES)/;

t.test('every statement of the service passes the T-SQL lint and parses as transactsql', async (t) => {
  for (const [name, statement] of Object.entries(STATEMENTS)) {
    t.same(lint(statement.tsql), [], `${name}: lint`);
    const parseable = statement.tsql.replace(OUTPUT_CLAUSE, '');
    t.equal(parseError(parseable, 'transactsql'), undefined, `${name}: parses${parseable === statement.tsql ? '' : ' (OUTPUT clause aside)'}`);
  }
});

t.test('every SQLite text compiles against schema.sql', async (t) => {
  const db = new Database(':memory:');
  db.exec(SQLITE_SCHEMA);
  for (const [name, statement] of Object.entries(STATEMENTS)) t.doesNotThrow(() => db.prepare(statement.sqlite), name);
  db.close();
});

t.test('both texts of a statement bind the same values in the same positions', async (t) => {
  for (const [name, statement] of Object.entries(STATEMENTS)) {
    t.equal(tsqlValueCount(statement.tsql), sqliteValueCount(statement.sqlite), `${name}: value count`);
    t.ok(tsqlValuesContiguous(statement.tsql), `${name}: @p0..@pN with none skipped`);
  }
});

t.test('the inserts that need the new id ask each engine for it', async (t) => {
  for (const name of ['insertInvoice', 'insertBillRun'] as const) {
    t.match(STATEMENTS[name].sqlite, /\) RETURNING id$/, `${name}: SQLite RETURNING`);
    t.match(STATEMENTS[name].tsql, /\)\s+OUTPUT INSERTED\.id VALUES \(/, `${name}: T-SQL OUTPUT before VALUES`);
  }
});

t.test('portable() numbers placeholders in order and leaves string literals alone', async (t) => {
  t.same(portable("SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)"), {
    sqlite: "SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)",
    tsql: "SELECT a FROM t WHERE b = @p0 AND c = '?' AND d IN (@p1, @p2)",
  });
  t.equal(portable("SELECT 'it''s ?', ?").tsql, "SELECT 'it''s ?', @p0", 'a doubled quote stays inside the literal');
});

t.test('schema.mssql.sql passes the lint and parses, its foreign keys aside', async (t) => {
  t.same(lint(TSQL_SCHEMA), []);
  // The transactsql grammar stops at an inline REFERENCES followed by another column.
  t.equal(parseError(TSQL_SCHEMA.replace(/ REFERENCES \w+ \(\w+\)/g, ''), 'transactsql'), undefined);
  t.notMatch(TSQL_SCHEMA, /^\s*GO\s*$/m, 'one batch, as the loader sends it');
});

interface ColumnShape {
  readonly name: string;
  readonly kind: 'integer' | 'text';
  readonly nullable: boolean;
  readonly references: string | null;
  readonly generatedId: boolean;
}

type Ast = Record<string, unknown>;

function shapes(text: string, dialect: 'sqlite' | 'transactsql'): Map<string, ColumnShape[]> {
  const references = new Map<string, string>();
  if (dialect === 'transactsql') {
    // Parsed without them (see above), so read from the text: `<column> ... REFERENCES <table> (<column>)`.
    let table = '';
    for (const line of text.split('\n')) {
      const created = /^CREATE TABLE (\w+)/.exec(line);
      if (created) table = created[1] as string;
      const ref = /^\s+\[?(\w+)\]? .* REFERENCES (\w+) \((\w+)\)/.exec(line);
      if (ref) references.set(`${table}.${ref[1]}`, `${ref[2]}.${ref[3]}`);
    }
  }
  const source = dialect === 'transactsql' ? text.replace(/ REFERENCES \w+ \(\w+\)/g, '') : text;
  const ast = new nodeSqlParser.Parser().astify(source, { database: dialect }) as unknown as Ast[];
  const tables = new Map<string, ColumnShape[]>();
  for (const statement of ast) {
    if (statement.type !== 'create' || statement.keyword !== 'table') continue;
    const table = String((statement.table as { table: string }[])[0]?.table);
    const columns: ColumnShape[] = [];
    for (const def of statement.create_definitions as Ast[]) {
      if (def.resource !== 'column') continue;
      const name = String((def.column as { column: string }).column);
      const type = String((def.definition as { dataType: string }).dataType).toUpperCase();
      const primary = def.primary_key !== undefined && def.primary_key !== null;
      const explicitNull = (def.nullable as { type?: string } | undefined)?.type;
      const refDef = def.reference_definition as { table: { table: string }[]; definition: { column: string }[] } | undefined;
      columns.push({
        name,
        kind: type.startsWith('INT') ? 'integer' : 'text',
        nullable: explicitNull !== 'not null' && !primary,
        references: dialect === 'sqlite'
          ? (refDef ? `${refDef.table[0]?.table}.${refDef.definition[0]?.column}` : null)
          : (references.get(`${table}.${name}`) ?? null),
        // SQLite's INTEGER PRIMARY KEY hands out ids as IDENTITY does.
        generatedId: dialect === 'sqlite' ? primary && type === 'INTEGER' : def.auto_increment !== undefined && def.auto_increment !== null,
      });
    }
    tables.set(table, columns);
  }
  return tables;
}

t.test('schema.mssql.sql has the tables and columns of schema.sql, alike in kind, nullability and references', async (t) => {
  const sqlite = shapes(SQLITE_SCHEMA, 'sqlite');
  const tsql = shapes(TSQL_SCHEMA, 'transactsql');
  t.same([...tsql.keys()], [...sqlite.keys()], 'same tables in the same order');
  for (const [table, columns] of sqlite) t.same(tsql.get(table), columns, table);
});
