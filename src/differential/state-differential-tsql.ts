import type { DatabaseEngine } from '../engine/types.js';
import type { Fragment } from '../sql/fragment.js';
import { accountRoute } from './account-paths.js';
import { accountTsql, addedRowsTsql, changedRowsTsql, deletedRowsTsql, highestKeysTsql, ThreePartNames, type ServerDatabases } from './compare-tsql.js';
import type { CellValue } from './differences.js';
import { compareStates, type ComparisonBackend, type DifferentialSettings, type ResultRow, type StateDifferential } from './state-differential.js';
import { readTableShapesTsql } from './table-shapes-tsql.js';
import type { TableShape } from './table-shapes.js';

/** What SQL Server's types add to the rules every engine follows; listed in the report with them. */
export const SQL_SERVER_RULES: readonly string[] = [
  'on SQL Server, a datetime, datetime2, smalldatetime or datetimeoffset column with a time of day other than midnight is a wall-clock timestamp, and a uniqueidentifier column is generated: compared as present or absent',
  'on SQL Server, a rowversion column is the engine\'s own counter: compared as present or absent; text is compared by its bytes, so case and trailing spaces count whatever the collation says',
  "on SQL Server, a column whose type differs between the billed copy and production's result is a schema difference",
];

/** Rows as the comparison reads them: values the driver hands back as SqlValue, booleans as numbers. */
async function* cells(rows: AsyncIterable<Record<string, unknown>>): AsyncIterable<ResultRow> {
  for await (const row of rows) {
    const out: ResultRow = {};
    for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'boolean' ? Number(value) : (value as CellValue);
    yield out;
  }
}

/**
 * Compares the three databases on one SQL Server, server-side: every query joins them by
 * three-part names and returns only the rows that differ, which stream to Node one at a time.
 * `engine` may be connected to any database on the server (the billed copy, in a run).
 */
export async function computeStateDifferentialOnServer(engine: DatabaseEngine, databases: ServerDatabases, settings: DifferentialSettings): Promise<StateDifferential> {
  const { accounts, releases } = settings;
  const names = (shapes: ReadonlyMap<string, TableShape>): ThreePartNames => new ThreePartNames(databases, shapes);
  const stream = (statement: Fragment): AsyncIterable<ResultRow> => cells(engine.stream(statement));
  const backend: ComparisonBackend = {
    shapes: (where, skip) => readTableShapesTsql(engine, databases[where], skip),
    changedRows: (shape, compared, shapes) => stream(changedRowsTsql(shape, compared, accountTsql(accountRoute(shapes, shape.name, accounts), 'p', 'main', names(shapes), accounts), names(shapes), releases)),
    deletedRows: (shape, shapes) => stream(deletedRowsTsql(shape, accountTsql(accountRoute(shapes, shape.name, accounts), 'p', 'pre', names(shapes), accounts), names(shapes))),
    addedRows: (shape, content, shapes) =>
      stream(addedRowsTsql(shape, content, (side) => accountTsql(accountRoute(shapes, shape.name, accounts), 'x', side, names(shapes), accounts), names(shapes), releases)),
    gainsRows: async (table, before) => {
      if (before === undefined) return true;
      const [row] = await engine.query(highestKeysTsql(before, names(new Map([[table, before]]))));
      const old = Number(row?.['pre'] ?? 0);
      return Number(row?.['main'] ?? 0) > old || Number(row?.['prod'] ?? 0) > old;
    },
    rules: SQL_SERVER_RULES,
  };
  return compareStates(backend, settings);
}
