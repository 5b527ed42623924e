import Database from 'better-sqlite3';
import type { TableShape } from './table-shapes.js';
import { readTableShapes } from './table-shapes.js';
import { accountExpression, addedRowsSql, changedRowsSql, deletedRowsSql, q, type ContentExpression, type Releases, type Side } from './compare-sql.js';
import { DifferenceSummary, type CellValue, type DifferenceKind, type RowDifference } from './differences.js';
import type { AccountIdentity, DifferentialRules } from './rules.js';
import { isToolTable } from '../run/tool-tables.js';

export interface StateDifferentialInput {
  /** The rehearsal copy after the bill run. */
  readonly billed: string;
  /** The same copy just before the bill run (sanitized). */
  readonly beforeBillRun: string;
  /** Production's result, masked with this run's key and rules exactly as the copy was. */
  readonly productionMasked: string;
  readonly rules: DifferentialRules;
  readonly accounts: AccountIdentity;
  /** The release that billed each side, as the platform records it; its own version string compares equal. */
  readonly releases: Releases;
  readonly onTable?: (table: string, index: number, total: number) => void;
  /** Where the differences go; a caller that labels them (release notes) passes its own. */
  readonly summary?: DifferenceSummary;
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
}

/**
 * Compares, table by table, what the rehearsal's bill run left with what production's bill run
 * left, starting from the same (masked) state. Everything runs inside SQLite over read-only
 * attachments, so only the differing rows reach JavaScript.
 */
export function computeStateDifferential(input: StateDifferentialInput): StateDifferential {
  const db = new Database(input.billed, { readonly: true, fileMustExist: true });
  try {
    // A connection opened read-only attaches read-only too: none of the three files can be written here.
    db.prepare('ATTACH DATABASE ? AS pre').run(input.beforeBillRun);
    db.prepare('ATTACH DATABASE ? AS prod').run(input.productionMasked);
    db.defaultSafeIntegers(false);
    // Tables the tool itself wrote into the copies (marker, seal, masking tables) are not the platform's.
    const billed = new Map(readTableShapes(db, 'main', isToolTable).map((s) => [s.name, s]));
    const production = new Map(readTableShapes(db, 'prod', isToolTable).map((s) => [s.name, s]));
    const before = new Map(readTableShapes(db, 'pre', isToolTable).map((s) => [s.name, s]));
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
      const unlike = [columnsOnlyIn('the rehearsal', columns, kept(other)), columnsOnlyIn("production's result", kept(other), columns), columnsOnlyIn('the billed copy, not before its bill run', columns, kept(old))].filter((d) => d !== '');
      if (unlike.length > 0) {
        schemaDifferences.push(`${table} (${unlike.join('; ')})`);
        continue;
      }
      for (const c of [shape, other, old].flatMap((s) => s.columns)) if (input.rules.ignoreColumns.has(`${table}.${c}`)) matchedColumns.add(`${table}.${c}`);
      input.onTable?.(table, index, names.length);
      compared.push(table);
      const context: TableContext = { db, shapes: billed, accounts: input.accounts, releases: input.releases, summary };
      compareExisting(context, shape, columns);
      const raw = compareAdded(context, shape, columns).filter((target) => gainsRows(db, before.get(target), target));
      if (raw.length > 0) rawReferences.push(`${table} (references to ${raw.join(', ')})`);
    }
    // A rule that matched no column of a compared table left nothing out: said so, as it may be a typo.
    for (const [column, reason] of input.rules.ignoreColumns) ignored.push({ what: column, reason: matchedColumns.has(column) ? reason : `${reason} (matched no column of a compared table)` });
    return { summary, tablesCompared: compared, ignored, schemaDifferences, rawReferences };
  } finally {
    db.close();
  }
}

/** `columns (added|missing) …: a, b` for columns of `mine` that `theirs` lacks, or ''. */
function columnsOnlyIn(where: string, mine: readonly string[], theirs: readonly string[]): string {
  const only = mine.filter((c) => !theirs.includes(c));
  return only.length === 0 ? '' : `column(s) only in ${where}: ${only.join(', ')}`;
}

interface TableContext {
  readonly db: Database.Database;
  readonly shapes: ReadonlyMap<string, TableShape>;
  readonly accounts: AccountIdentity;
  readonly releases: Releases;
  readonly summary: DifferenceSummary;
}

/** Whether either bill run added rows to a table (its highest key grew); references to old rows keep their keys. */
function gainsRows(db: Database.Database, shape: TableShape | undefined, table: string): boolean {
  const key = shape?.surrogateKey ? q(shape.primaryKey[0] ?? 'rowid') : 'rowid';
  const highest = (schema: string): number => Number(db.prepare(`SELECT coalesce(max(${key}), 0) FROM ${schema}.${q(table)}`).pluck().get());
  const before = highest('pre');
  return highest('main') > before || highest('prod') > before;
}

function keyText(row: Record<string, unknown>, count: number): string {
  return Array.from({ length: count }, (_, i) => String(row[`k${i}`])).join(', ');
}

function asAccount(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function compareExisting({ db, shapes, accounts, releases, summary }: TableContext, shape: TableShape, columns: readonly string[]): void {
  if (shape.primaryKey.length === 0) return;
  const account = accountExpression(shapes, shape.name, 'p', 'main', accounts);
  const compared = columns.filter((c) => !shape.primaryKey.includes(c));
  if (compared.length > 0) {
    for (const row of db.prepare(changedRowsSql(shape, compared, account, releases)).iterate() as Iterable<Record<string, CellValue>>) {
      const differing = compared
        .map((column, i) => ({ column, rehearsal: row[`r${i}`] ?? null, production: row[`p${i}`] ?? null }))
        .filter((c) => c.rehearsal !== c.production);
      summary.add({ table: shape.name, kind: 'changed', row: keyText(row, shape.primaryKey.length), account: asAccount(row.account), columns: differing, count: 1 });
    }
  }
  const deletedAccount = accountExpression(shapes, shape.name, 'p', 'pre', accounts);
  for (const row of db.prepare(deletedRowsSql(shape, deletedAccount)).iterate() as Iterable<Record<string, CellValue>>) {
    const kind: DifferenceKind = row.in_rehearsal ? 'deleted-only-in-production' : 'deleted-only-in-rehearsal';
    summary.add({ table: shape.name, kind, row: keyText(row, shape.primaryKey.length), account: asAccount(row.account), columns: [], count: 1 });
  }
}

/** The compared content of an added row: references to another table by its unique key when it has one. */
function contentOf(shape: TableShape, columns: readonly string[], shapes: ReadonlyMap<string, TableShape>): { names: string[]; expressions: ContentExpression[]; raw: string[] } {
  const natural = shape.uniqueKeys[0] ?? [];
  const kept = columns.filter((c) => !(shape.surrogateKey && shape.primaryKey.includes(c)));
  const ordered = [...natural.filter((c) => kept.includes(c)), ...kept.filter((c) => !natural.includes(c))];
  const raw: string[] = [];
  const expressions = ordered.map((column): ContentExpression => {
    const fk = shape.foreignKeys.find((f) => f.column === column);
    const target = fk === undefined ? undefined : shapes.get(fk.table);
    if (fk === undefined || target === undefined || !target.surrogateKey) return () => `x.${q(column)}`;
    const unique = target.uniqueKeys[0];
    if (unique === undefined) {
      raw.push(fk.table);
      return () => `x.${q(column)}`;
    }
    const key = unique.map((u) => `r.${q(u)}`).join(` || char(31) || `);
    return (side: Side) => `(SELECT ${key} FROM ${side}.${q(fk.table)} r WHERE r.${q(fk.references)} = x.${q(column)})`;
  });
  return { names: ordered, expressions, raw };
}

/** Returns the referenced tables whose keys had to be compared as they are (they have no unique key). */
function compareAdded({ db, shapes, accounts, releases, summary }: TableContext, shape: TableShape, columns: readonly string[]): string[] {
  const content = contentOf(shape, columns, shapes);
  if (content.names.length === 0) return [];
  const naturalWidth = (shape.uniqueKeys[0] ?? []).filter((c) => content.names.includes(c)).length;
  const sql = addedRowsSql(shape, content.expressions, (side) => accountExpression(shapes, shape.name, 'x', side, accounts), releases);
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
  for (const row of db.prepare(sql).iterate() as Iterable<Record<string, CellValue>>) {
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
  return [...new Set(content.raw)];
}

function describeContent(names: readonly string[], row: Record<string, CellValue>): string {
  return names.slice(0, 4).map((n, i) => `${n}=${String(row[`c${i}`])}`).join(', ');
}
