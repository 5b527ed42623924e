import t from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import type { DatabaseEngine, Row } from '../../src/engine/types.js';
import { provePiiRemoved, tsqlCandidate, type ProofOptions } from '../../src/sanitize/proof.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { ident, sql, join as joinSql, type Fragment } from '../../src/sql/fragment.js';
import { goldenMismatch } from '../mssql/golden.js';
import { NO_RULES, streamingOnly } from './proof-fixtures.js';

const OPTIONS: ProofOptions = {
  safeDomain: 'rehearsal.invalid',
  productionHosts: ['mail.northwind-telecom.example', 'db_01%[x].partner.example'],
  productionDomains: ['Northwind-Telecom.example'],
  safeHosts: ['sql-rehearsal.corp.example'],
  allow: [],
};

/**
 * Values with and without findings in the formats the proof knows, and the edges of the
 * server-side test: trailing spaces (which `LEN` ignores), NUL, tabs, non-ASCII digits and
 * letters, upper case hosts, LIKE's own wildcards in a host, a value just under and at the digit
 * counts, and a long one.
 */
const VALUES: readonly string[] = [
  'ada@analytical.example',
  'ÜBER@straße.example',
  'masked.0123456789@rehearsal.invalid',
  '4111.1111.1111.1111',
  '6011\u00a00009\u00a09013\u00a09424',
  '４１１１ １１１１ １１１１ １１１１',
  '+44 20 7946 0958',
  '+442079460958   ',
  '2127364821',
  '212736482',
  '212\t736\t4821',
  'call\u0000 2127364821',
  '(212) 555-0142',
  '+1 555 0142',
  '2026-11-01T02:00:00.000Z',
  'Server=billing-db01.northwind-telecom.example;Database=Billing',
  'Data Source=(localdb)\\MSSQLLocalDB',
  'postgres://report@analytics.partner.example:5432/billing',
  'see https://portal.NORTHWIND-TELECOM.example/admin',
  'escalate to OPS.northwind-telecom.EXAMPLE',
  'northwind-telecom.example.com',
  'talk to db_01%[x].partner.example',
  'talk to db_01x[x].partner.example',
  'Northwind Telecom, Main Street',
  'no personal data here',
  'prefers calls after 5',
  'Zoë paid in full',
  `${'lorem ipsum '.repeat(5000)}ada@analytical.example`,
  '',
];

/** What the T-SQL test in `tsqlCandidate` lets through, clause by clause, as SQL Server evaluates it on these values. */
function passesTsqlTest(value: string): boolean {
  const digits = (value.match(/[0-9]/g) ?? []).length;
  const hosts = [...OPTIONS.productionHosts, ...(OPTIONS.productionDomains ?? [])].map((h) => h.toLowerCase());
  return (
    value.includes('@') ||
    digits >= 10 ||
    (value.includes('+') && digits >= 8) ||
    value.includes('=') ||
    value.includes('://') ||
    /[^ -~]/.test(value) ||
    hosts.some((h) => value.toLowerCase().includes(h))
  );
}

function valuesDb(dir: string): SqliteEngine {
  const path = join(dir, 'values.db');
  const db = new Database(path);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (const value of VALUES) insert.run(value);
  db.close();
  return SqliteEngine.open(path);
}

/** A SQL Server stand-in: records the T-SQL, counts rows, and sends only the rows the server-side test lets through. */
function tsqlStandIn(engine: SqliteEngine, sent: Fragment[]): DatabaseEngine {
  const stand: DatabaseEngine = {
    kind: 'mssql',
    dialect: tsqlDialect,
    description: 'T-SQL stand-in',
    query: async <T extends Row>(s: Fragment) => {
      sent.push(s);
      return (await engine.query(sql`SELECT count(*) AS row_count FROM notes`)) as T[];
    },
    exec: (s) => engine.exec(s),
    stream: <T extends Row>(s: Fragment) => {
      sent.push(s);
      return (async function* () {
        for await (const row of engine.stream<T>(sql`SELECT body FROM notes ORDER BY id`)) if (passesTsqlTest(String(row['body']))) yield row;
      })();
    },
    transaction: (w) => w(stand),
    tables: () => engine.tables(),
    close: async () => {},
  };
  return stand;
}

t.test('on SQL Server only values that could hold a finding cross the network, and the findings stay exactly the same', async (t) => {
  const engine = valuesDb(t.testdir());
  t.teardown(() => engine.close());
  const everything = await provePiiRemoved(streamingOnly(engine), NO_RULES, OPTIONS);
  const sent: Fragment[] = [];
  const prefiltered = await provePiiRemoved(tsqlStandIn(engine, sent), NO_RULES, OPTIONS);
  t.ok(everything.findings.length >= 4, `the corpus has findings of several kinds: ${everything.findings.map((f) => f.kind).join(', ')}`);
  t.same(prefiltered.findings, everything.findings, 'the same findings, counts and kinds');
  t.equal(prefiltered.rowsScanned, everything.rowsScanned, 'rows are counted on the server');
  const sentRows = VALUES.filter(passesTsqlTest).length;
  t.ok(sentRows < VALUES.length - 5, `${VALUES.length - sentRows} of ${VALUES.length} values stay on the server`);
  const select = tsqlDialect.render(sent.at(-1) as Fragment).text;
  t.match(select, /^SELECT \[body\] FROM \[notes\] WHERE \(CHARINDEX\('@', /, 'the filter is in the query');
  t.same(findNonTsql(select), []);
});

t.test('the server-side test as T-SQL: every clause, LIKE wildcards in hosts escaped, text/ntext cast (golden)', async (t) => {
  const columns = [
    { name: 'Notes', type: 'nvarchar', isText: true },
    { name: 'LegacyMemo', type: 'ntext', isText: true },
  ];
  const hosts = ['mail.northwind-telecom.example', 'db_01%[x].partner.example'];
  const select = sql`SELECT ${joinSql(columns.map((c) => ident(c.name)), ', ')} FROM ${ident('Contacts')} WHERE ${joinSql(columns.map((c) => tsqlCandidate(c, hosts)), ' OR ')}`;
  const mismatch = goldenMismatch('proof-prefilter.sql', [{ name: 'prefiltered proof scan', fragment: select }]);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/proof-prefilter.sql');
  const { params } = tsqlDialect.render(select);
  t.ok(Object.values(params).includes('%db[_]01[%][[]x].partner.example%'), 'the host is a parameter with its wildcards bracketed');
});
