import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyword, sql } from '../../src/sql/fragment.js';
import type { MssqlEngine } from '../../src/engine/mssql/engine.js';
import { computeStateDifferential, type DifferentialSettings, type StateDifferential } from '../../src/differential/state-differential.js';
import { computeStateDifferentialOnServer } from '../../src/differential/state-differential-tsql.js';
import { differentialRules } from '../../src/differential/rules.js';
import { BEFORE, SCHEMA, productionBillRun, stateFiles } from '../helpers/state-fixture.js';
import { MSSQL_URL, withScratchDatabase } from '../helpers/mssql-scratch.js';

/**
 * The state differential on a real SQL Server, against the SQLite path on the same data: three
 * scratch databases (before the bill run, billed by the rehearsal, billed by production) with the
 * fixture's schema in T-SQL, compared server-side. Runs only with REHEARSAL_MSSQL_URL (a
 * disposable server whose login may CREATE DATABASE); it has never run on this project's machines.
 */
const url = MSSQL_URL;

const SETTINGS: DifferentialSettings = {
  rules: differentialRules([]),
  accounts: { table: 'accounts', key: 'account_number' },
  releases: { main: '7.5.0', prod: '7.4.2' },
};

/** The fixture's SQLite schema as T-SQL: INTEGER PRIMARY KEY is an IDENTITY, TEXT a bounded NVARCHAR, `key` bracketed. */
const TSQL_SCHEMA = SCHEMA.replace(/INTEGER PRIMARY KEY/g, 'INT IDENTITY PRIMARY KEY').replace(/\bINTEGER\b/g, 'INT').replace(/\bTEXT\b/g, 'NVARCHAR(200)').replace(/\bkey\b/g, '[key]');

/** The fixture's inserts as T-SQL: explicit ids need IDENTITY_INSERT and a column list. */
function tsqlScript(script: string): string {
  const columns = new Database(':memory:');
  columns.exec(SCHEMA);
  try {
    return script.replace(/INSERT INTO (\w+) VALUES ([^;]+);/g, (_, table: string, values: string) => {
      const names = (columns.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).map((n) => `[${n}]`).join(', ');
      return table === 'settings' ? `INSERT INTO [settings] (${names}) VALUES ${values};` : `SET IDENTITY_INSERT [${table}] ON; INSERT INTO [${table}] (${names}) VALUES ${values}; SET IDENTITY_INSERT [${table}] OFF;`;
    });
  } finally {
    columns.close();
  }
}

function groups(result: StateDifferential): unknown {
  return result.summary.sortedGroups().map((g) => ({ table: g.table, what: g.what, rows: g.rows, accounts: [...g.accounts].sort() }));
}

const SCENARIOS = [
  { name: 'the same bill run, another clock and release', rehearsal: productionBillRun('7.5.0', '2026-12-02T04:22:58.054Z') },
  { name: 'usage left unrated', rehearsal: productionBillRun('7.5.0').replace('UPDATE usage_records SET rated = 1;', 'UPDATE usage_records SET rated = 1 WHERE id = 1;') },
  { name: 'a missing ledger row', rehearsal: productionBillRun('7.5.0').replace(", (1001, 2, 'invoice', 540, 'INV-ACC-2')", '') },
  { name: 'an invoice line charged twice', rehearsal: `${productionBillRun('7.5.0')} INSERT INTO invoice_items VALUES (104, 11, 'recurring', 500);` },
  { name: 'a row deleted that production kept', rehearsal: `${productionBillRun('7.5.0')} DELETE FROM usage_records WHERE id = 2;` },
];

if (url === undefined) {
  t.plan(0, 'SQL Server state differential suite skipped: set REHEARSAL_MSSQL_URL to the connection string of a disposable SQL Server to run it');
} else {
  for (const scenario of SCENARIOS) {
    t.test(`${scenario.name}: the server-side comparison finds what SQLite finds`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'rehearsal-state-it-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const expected = await computeStateDifferential({ ...stateFiles(dir, scenario.rehearsal), ...SETTINGS });
      const load = async (engine: MssqlEngine, ...scripts: string[]): Promise<string> => {
        for (const script of [TSQL_SCHEMA, ...scripts]) await engine.exec(sql`${keyword(tsqlScript(script))}`);
        const [row] = await engine.query<{ name: string }>(sql`SELECT DB_NAME() AS name`);
        return row?.name ?? '';
      };
      await withScratchDatabase(url, async (pre) =>
        withScratchDatabase(url, async (prod) =>
          withScratchDatabase(url, async (main) => {
            const databases = { pre: await load(pre, BEFORE), prod: await load(prod, BEFORE, productionBillRun()), main: await load(main, BEFORE, scenario.rehearsal) };
            const actual = await computeStateDifferentialOnServer(main, databases, SETTINGS);
            t.same(groups(actual), groups(expected), 'same groups, rows and accounts');
            t.same(actual.tablesCompared, expected.tablesCompared);
            t.same(actual.schemaDifferences, expected.schemaDifferences);
          }),
        ),
      );
    });
  }
}
