import Database from 'better-sqlite3';
import type { TableShape } from './table-shapes.js';
import { readTableShapes } from './table-shapes.js';
import { accountExpression, addedRowsSql, changedRowsSql, deletedRowsSql, q, type Releases, type Side } from './compare-sql.js';
import { DifferenceSummary, type CellValue, type DifferenceKind, type RowDifference } from './differences.js';
import type { AccountIdentity, DifferentialRules } from './rules.js';
import { accountRoute } from './account-paths.js';
import { addedContent, type ContentColumn } from './added-content.js';
import { isToolTable } from '../run/tool-tables.js';

/** What the comparison is told, whichever engine runs it. */
export interface DifferentialSettings {
  readonly rules: DifferentialRules;
  readonly accounts: AccountIdentity;
  /** The release that billed each side, as the platform records it; its own version string compares equal. */
  readonly releases: Releases;
  readonly onTable?: (table: string, index: number, total: number) => void;
  /** Where the differences go; a caller that labels them (release notes) passes its own. */
  readonly summary?: DifferenceSummary;
}

export interface StateDifferentialInput extends DifferentialSettings {
  /** The rehearsal copy after the bill run. */
  readonly billed: string;
  /** The same copy just before the bill run (sanitized). */
  readonly beforeBillRun: string;
  /** Production's result, masked with this run's key and rules exactly as the copy was. */
  readonly productionMasked: string;
}

export interface StateDifferential {
  readonly summary: DifferenceSummary;
  readonly tablesCompared: readonly string[];
  /** Tables or columns left out, and why (the plan's reasons). */
  readonly ignored: readonly { readonly what: string; readonly reason: string }[];
  /** Tables whose shape differs between the sides (a schema change the release made), each with the columns that differ. */
  readonly schemaDifferences: readonly string[];
  /** Added-row tables compared by raw reference because the referenced table has no unique key. */
  readonly rawReferences: readonly string[];
  /** Comparison rules of the engine that ran it, beyond the rules every engine follows. */
  readonly engineRules: readonly string[];
}

export type ResultRow = Record<string, CellValue>;

/**
 * One engine's way of asking the three databases: each query returns only rows that differ, and
 * the same columns (`k0…`, `account`, `r0…`/`p0…`, `c0…`, `in_rehearsal`, `in_production`)
 * whichever engine computed them, so the findings are made from them alike.
 */
export interface ComparisonBackend {
  shapes(where: Side | 'pre', skip: (table: string) => boolean): Promise<TableShape[]>;
  changedRows(shape: TableShape, compared: readonly string[], shapes: ReadonlyMap<string, TableShape>): AsyncIterable<ResultRow> | Iterable<ResultRow>;
  deletedRows(shape: TableShape, shapes: ReadonlyMap<string, TableShape>): AsyncIterable<ResultRow> | Iterable<ResultRow>;
  addedRows(shape: TableShape, content: readonly ContentColumn[], shapes: ReadonlyMap<string, TableShape>): AsyncIterable<ResultRow> | Iterable<ResultRow>;
  /** Whether either bill run added rows to the table (its highest key grew); references to old rows keep their keys. */
  gainsRows(table: string, before: TableShape | undefined): Promise<boolean>;
  readonly rules: readonly string[];
}

/**
 * Compares, table by table, what the rehearsal's bill run left with what production's bill run
 * left, starting from the same (masked) state. Everything runs inside SQLite over read-only
 * attachments, so only the differing rows reach JavaScript.
 */
export async function computeStateDifferential(input: StateDifferentialInput): Promise<StateDifferential> {
  const db = new Database(input.billed, { readonly: true, fileMustExist: true });
  try {
    // A connection opened read-only attaches read-only too: none of the three files can be written here.
    db.prepare('ATTACH DATABASE ? AS pre').run(input.beforeBillRun);
    db.prepare('ATTACH DATABASE ? AS prod').run(input.productionMasked);
    db.defaultSafeIntegers(false);
    return await compareStates(sqliteComparisonBackend(db, input.accounts, input.releases), input);
  } finally {
    db.close();
  }
}

/** The comparison inside SQLite, over the billed copy with `pre` and `prod` attached. */
export function sqliteComparisonBackend(db: Database.Database, accounts: AccountIdentity, releases: Releases): ComparisonBackend {
  const rows = (text: string): Iterable<ResultRow> => db.prepare(text).iterate() as Iterable<ResultRow>;
  return {
    shapes: async (where, skip) => readTableShapes(db, where, skip),
    changedRows: (shape, compared, shapes) => rows(changedRowsSql(shape, compared, accountExpression(accountRoute(shapes, shape.name, accounts), 'p', 'main', accounts), releases)),
    deletedRows: (shape, shapes) => rows(deletedRowsSql(shape, accountExpression(accountRoute(shapes, shape.name, accounts), 'p', 'pre', accounts))),
    addedRows: (shape, content, shapes) => rows(addedRowsSql(shape, content, (side) => accountExpression(accountRoute(shapes, shape.name, accounts), 'x', side, accounts), releases)),
    gainsRows: async (table, before) => {
      const key = before?.surrogateKey ? q(before.primaryKey[0] ?? 'rowid') : 'rowid';
      const highest = (schema: string): number => Number(db.prepare(`SELECT coalesce(max(${key}), 0) FROM ${schema}.${q(table)}`).pluck().get());
      const old = highest('pre');
      return highest('main') > old || highest('prod') > old;
    },
    rules: [],
  };
}

/** The table-by-table comparison over one engine's backend: only differing rows come back, and each becomes a finding. */
export async function compareStates(backend: ComparisonBackend, input: DifferentialSettings): Promise<StateDifferential> {
  // Tables the tool itself wrote into the copies (marker, seal, masking tables) are not the platform's.
  const skip = isToolTable;
  const billed = new Map((await backend.shapes('main', skip)).map((s) => [s.name, s]));
  const production = new Map((await backend.shapes('prod', skip)).map((s) => [s.name, s]));
  const before = new Map((await backend.shapes('pre', skip)).map((s) => [s.name, s]));
  const summary = input.summary ?? new DifferenceSummary();
  const ignored: { what: string; reason: string }[] = [];
  const schemaDifferences: string[] = [];
  const rawReferences: string[] = [];
  const compared: string[] = [];
  for (const [table, reason] of input.rules.ignoreTables) ignored.push({ what: table, reason });
  const matchedColumns = new Set<string>();
  const names = [...new Set([...billed.keys(), ...production.keys()])].sort();
  for (const [index, table] of names.entries()) {
    if (input.rules.ignoreTables.has(table)) continue;
    const shape = billed.get(table);
    const other = production.get(table);
    const old = before.get(table);
    const kept = (s: TableShape): string[] => s.columns.filter((c) => !input.rules.ignoreColumns.has(`${table}.${c}`));
    if (shape === undefined || other === undefined || old === undefined) {
      schemaDifferences.push(`${table} (only in ${shape === undefined ? "production's result" : other === undefined ? 'the rehearsal' : 'the billed copy, not before its bill run'})`);
      continue;
    }
    const columns = kept(shape);
    const unlike = [
      columnsOnlyIn('the rehearsal', columns, kept(other)),
      columnsOnlyIn("production's result", kept(other), columns),
      columnsOnlyIn('the billed copy, not before its bill run', columns, kept(old)),
      typesUnlike(columns, shape, other),
    ].filter((d) => d !== '');
    if (unlike.length > 0) {
      schemaDifferences.push(`${table} (${unlike.join('; ')})`);
      continue;
    }
    for (const c of [shape, other, old].flatMap((s) => s.columns)) if (input.rules.ignoreColumns.has(`${table}.${c}`)) matchedColumns.add(`${table}.${c}`);
    input.onTable?.(table, index, names.length);
    compared.push(table);
    const context: TableContext = { backend, shapes: billed, summary };
    await compareExisting(context, shape, columns);
    const raw: string[] = [];
    for (const target of await compareAdded(context, shape, columns)) if (await backend.gainsRows(target, before.get(target))) raw.push(target);
    if (raw.length > 0) rawReferences.push(`${table} (references to ${raw.join(', ')})`);
  }
  // A rule that matched no column of a compared table left nothing out: said so, as it may be a typo.
  for (const [column, reason] of input.rules.ignoreColumns) ignored.push({ what: column, reason: matchedColumns.has(column) ? reason : `${reason} (matched no column of a compared table)` });
  return { summary, tablesCompared: compared, ignored, schemaDifferences, rawReferences, engineRules: backend.rules };
}

/** `columns (added|missing) …: a, b` for columns of `mine` that `theirs` lacks, or ''. */
function columnsOnlyIn(where: string, mine: readonly string[], theirs: readonly string[]): string {
  const only = mine.filter((c) => !theirs.includes(c));
  return only.length === 0 ? '' : `column(s) only in ${where}: ${only.join(', ')}`;
}

/** Columns whose declared type differs between the sides, where the engine fixes a type per column; bytes of unlike types never compare. */
function typesUnlike(columns: readonly string[], mine: TableShape, theirs: TableShape): string {
  if (mine.columnTypes === undefined || theirs.columnTypes === undefined) return '';
  const unlike = columns.filter((c) => mine.columnTypes?.get(c) !== theirs.columnTypes?.get(c));
  return unlike.length === 0 ? '' : `column type(s) differ from production's result: ${unlike.map((c) => `${c} (${mine.columnTypes?.get(c) ?? '?'} against ${theirs.columnTypes?.get(c) ?? '?'})`).join(', ')}`;
}

interface TableContext {
  readonly backend: ComparisonBackend;
  readonly shapes: ReadonlyMap<string, TableShape>;
  readonly summary: DifferenceSummary;
}

function keyText(row: Record<string, unknown>, count: number): string {
  return Array.from({ length: count }, (_, i) => String(row[`k${i}`])).join(', ');
}

function asAccount(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

async function compareExisting({ backend, shapes, summary }: TableContext, shape: TableShape, columns: readonly string[]): Promise<void> {
  if (shape.primaryKey.length === 0) return;
  const compared = columns.filter((c) => !shape.primaryKey.includes(c));
  if (compared.length > 0) {
    for await (const row of backend.changedRows(shape, compared, shapes)) {
      const differing = compared
        .map((column, i) => ({ column, rehearsal: row[`r${i}`] ?? null, production: row[`p${i}`] ?? null }))
        .filter((c) => c.rehearsal !== c.production);
      summary.add({ table: shape.name, kind: 'changed', row: keyText(row, shape.primaryKey.length), account: asAccount(row.account), columns: differing, count: 1 });
    }
  }
  for await (const row of backend.deletedRows(shape, shapes)) {
    const kind: DifferenceKind = row.in_rehearsal ? 'deleted-only-in-production' : 'deleted-only-in-rehearsal';
    summary.add({ table: shape.name, kind, row: keyText(row, shape.primaryKey.length), account: asAccount(row.account), columns: [], count: 1 });
  }
}

/** Returns the referenced tables whose keys had to be compared as they are (they have no unique key). */
async function compareAdded({ backend, shapes, summary }: TableContext, shape: TableShape, columns: readonly string[]): Promise<string[]> {
  const { content: columnsCompared, naturalWidth, raw } = addedContent(shape, columns, shapes);
  if (columnsCompared.length === 0) return [];
  const content = { names: columnsCompared.map((c) => c.column) };
  let pending: Record<string, CellValue> | undefined;
  const naturalKey = (row: Record<string, CellValue>): string => Array.from({ length: naturalWidth }, (_, i) => String(row[`c${i}`])).join(', ');
  const flush = (row: Record<string, CellValue>): void => {
    const inRehearsal = Number(row.in_rehearsal);
    const inProduction = Number(row.in_production);
    const kind: DifferenceKind = inRehearsal > inProduction ? 'only-in-rehearsal' : 'only-in-production';
    const difference: RowDifference = {
      table: shape.name,
      kind,
      row: naturalWidth > 0 ? naturalKey(row) : describeContent(content.names, row),
      account: asAccount(row.account),
      columns: [],
      count: Math.abs(inRehearsal - inProduction),
      content: content.names.map((column, i) => ({ column, value: row[`c${i}`] ?? null })),
    };
    summary.add(difference);
  };
  for await (const row of backend.addedRows(shape, columnsCompared, shapes)) {
    // Rows with the same unique key on both sides are one row the two bill runs wrote differently.
    if (pending !== undefined && naturalWidth > 0 && naturalKey(pending) === naturalKey(row) && Number(pending.in_rehearsal) + Number(row.in_rehearsal) === 1 && Number(pending.in_production) + Number(row.in_production) === 1) {
      const [rehearsal, production] = Number(pending.in_rehearsal) === 1 ? [pending, row] : [row, pending];
      const differing = content.names
        .map((column, i) => ({ column, rehearsal: rehearsal[`c${i}`] ?? null, production: production[`c${i}`] ?? null }))
        .filter((c) => c.rehearsal !== c.production);
      summary.add({ table: shape.name, kind: 'changed', row: naturalKey(row), account: asAccount(rehearsal.account ?? production.account), columns: differing, count: 1 });
      pending = undefined;
      continue;
    }
    if (pending !== undefined) flush(pending);
    pending = row;
  }
  if (pending !== undefined) flush(pending);
  return raw;
}

function describeContent(names: readonly string[], row: Record<string, CellValue>): string {
  return names.slice(0, 4).map((n, i) => `${n}=${String(row[`c${i}`])}`).join(', ');
}
