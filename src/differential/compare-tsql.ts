import { ident, join, keyword, sql, type Fragment } from '../sql/fragment.js';
import { tsqlDialect } from '../sql/tsql.js';
import type { AccountRoute } from './account-paths.js';
import type { ContentColumn } from './added-content.js';
import type { Releases, Side } from './compare-sql.js';
import type { AccountIdentity } from './rules.js';
import { baseType } from './table-shapes-tsql.js';
import type { TableShape } from './table-shapes.js';

/** The three databases on the one server: the billed copy (`main`), production's result masked alike (`prod`), and the copy just before the bill run (`pre`). */
export type ServerDatabases = Readonly<Record<Side | 'pre', string>>;

/** Names tables across the three databases by three-part names, in the schema the catalogue found them in. */
export class ThreePartNames {
  constructor(
    private readonly databases: ServerDatabases,
    private readonly shapes: ReadonlyMap<string, TableShape>,
  ) {}

  table(where: Side | 'pre', table: string): Fragment {
    return sql`${ident(this.databases[where], this.shapes.get(table)?.schema ?? 'dbo', table)}`;
  }
}

const TEXT = new Set(['char', 'varchar', 'nchar', 'nvarchar', 'text', 'ntext', 'xml', 'sql_variant']);
const WALL_CLOCK = new Set(['datetime', 'datetime2', 'smalldatetime', 'datetimeoffset']);
const BYTES = new Set(['binary', 'varbinary', 'image', 'geometry', 'geography', 'hierarchyid']);

/**
 * A column's value in a form every engine type can be compared, grouped and sent in: legacy LOB
 * and XML types as NVARCHAR(MAX), bytes as 0x… text (a Buffer never equals another), bit as a
 * number, rowversion (the engine's own counter) as a marker.
 */
function stored(expr: Fragment, type: string): { value: Fragment; text: boolean } {
  if (type === 'timestamp') return { value: sql`CASE WHEN ${expr} IS NULL THEN NULL ELSE N'<rowversion>' END`, text: true };
  if (TEXT.has(type)) return { value: type === 'nvarchar' || type === 'nchar' || type === 'varchar' || type === 'char' ? expr : sql`CAST(${expr} AS NVARCHAR(MAX))`, text: true };
  if (BYTES.has(type)) return { value: sql`CONVERT(VARCHAR(MAX), CAST(${expr} AS VARBINARY(MAX)), 1)`, text: true };
  if (type === 'bit') return { value: sql`CAST(${expr} AS TINYINT)`, text: false };
  if (type === 'uniqueidentifier' || WALL_CLOCK.has(type)) return { value: sql`CONVERT(NVARCHAR(40), ${expr}, 126)`, text: true };
  if (type === 'date') return { value: sql`CONVERT(NVARCHAR(10), ${expr}, 23)`, text: true };
  return { value: expr, text: false };
}

const DATE = '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]';
const HEX4 = '[0-9a-fA-F]'.repeat(4);
/** LIKE patterns the product wrote, as literals: the SQLite GLOBs with `*` as `%`. */
const TIMESTAMP = keyword(`'${DATE}[T ][0-2][0-9]:[0-5][0-9]%'`);
const MIDNIGHT = keyword(`'${DATE}[T ]00:00'`);
const MIDNIGHT_SECONDS = keyword(`'${DATE}[T ]00:00:00%'`);
const GUID = keyword(`'${HEX4}${HEX4}-${HEX4}-${HEX4}-${HEX4}-${HEX4}${HEX4}${HEX4}'`);

/**
 * The value as compared, the SQLite rules in T-SQL: text shaped like a wall-clock timestamp or a
 * GUID reduced to a marker, the side's own release version to `<release>`. Typed columns say the
 * same by type: a date-time with a time of day other than midnight is `<time>`, a
 * uniqueidentifier `<guid>`.
 */
function normalized(expr: Fragment, type: string, side: Side, releases: Releases): { value: Fragment; text: boolean } {
  if (WALL_CLOCK.has(type)) {
    return { value: sql`CASE WHEN ${expr} IS NULL THEN NULL WHEN CAST(${expr} AS TIME) <> '00:00:00' THEN N'<time>' ELSE CONVERT(NVARCHAR(40), ${expr}, 126) END`, text: true };
  }
  if (type === 'uniqueidentifier') return { value: sql`CASE WHEN ${expr} IS NULL THEN NULL ELSE N'<guid>' END`, text: true };
  const value = stored(expr, type);
  if (!TEXT.has(type)) return value;
  const release = releases[side];
  const text = release === undefined || release === '' ? value.value : sql`REPLACE(${value.value}, ${release}, N'<release>')`;
  const v = value.value;
  return {
    value: sql`CASE WHEN ${v} LIKE ${TIMESTAMP} AND NOT (${v} LIKE ${MIDNIGHT} OR ${v} LIKE ${MIDNIGHT_SECONDS}) THEN N'<time>' WHEN ${v} LIKE ${GUID} THEN N'<guid>' ELSE ${text} END`,
    text: true,
  };
}

/** The value as bytes, NULL apart and its length first: equal images are equal values, case and trailing spaces included (collations compare neither). */
function image(expr: Fragment): Fragment {
  return sql`CASE WHEN ${expr} IS NULL THEN 0x00 ELSE 0x01 + CAST(DATALENGTH(${expr}) AS BINARY(4)) + CAST(${expr} AS VARBINARY(MAX)) END`;
}

function keyMatch(left: string, right: string, key: readonly string[]): Fragment {
  return join(key.map((k) => sql`${ident(left, k)} = ${ident(right, k)}`), ' AND ');
}

function typeOf(shape: TableShape, column: string): string {
  return baseType(shape.columnTypes?.get(column)).toLowerCase();
}

/** The account a row (as `alias`) belongs to, by its route, in the database of `where`; NULL where it has none. */
export function accountTsql(route: AccountRoute | undefined, alias: string, where: Side | 'pre', names: ThreePartNames, accounts: AccountIdentity): Fragment {
  if (route === undefined) return sql`NULL`;
  if (route.self) return sql`${ident(alias, accounts.key)}`;
  const found = route.paths.map((path) => {
    const value = path.hops.reduce<Fragment>(
      (previous, hop, i) => (i === 0 ? sql`${ident(alias, hop.column)}` : sql`(SELECT ${ident('s', hop.column)} FROM ${names.table(where, hop.table)} s WHERE ${ident('s', hop.key)} = ${previous})`),
      sql``,
    );
    return sql`(SELECT ${ident('a', accounts.key)} FROM ${names.table(where, accounts.table)} a WHERE ${ident('a', path.references)} = ${value})`;
  });
  return found.length === 1 ? (found[0] as Fragment) : sql`COALESCE(${join(found, ', ')})`;
}

/**
 * Rows that existed before the bill run and now differ between the two sides, with both
 * (normalized) values of every compared column. The normalized values are computed once per row
 * (CROSS APPLY), then compared by their bytes.
 */
export function changedRowsTsql(shape: TableShape, compared: readonly string[], account: Fragment, names: ThreePartNames, releases: Releases): Fragment {
  const column = (alias: string, c: string): Fragment => stored(sql`${ident(alias, c)}`, typeOf(shape, c)).value;
  const norm = (alias: string, c: string, side: Side): Fragment => normalized(sql`${ident(alias, c)}`, typeOf(shape, c), side, releases).value;
  const applied = join(compared.flatMap((c, i) => [sql`${norm('p', c, 'main')} AS ${ident(`r${i}`)}`, sql`${norm('x', c, 'prod')} AS ${ident(`p${i}`)}`]), ', ');
  // Equal stored values are equal whatever normalizing would make of them, as on SQLite.
  const differs = join(compared.map((c, i) => sql`(${image(column('p', c))} <> ${image(column('x', c))} AND ${image(sql`${ident('n', `r${i}`)}`)} <> ${image(sql`${ident('n', `p${i}`)}`)})`), ' OR ');
  const columns = [
    ...shape.primaryKey.map((k, i) => sql`${ident('p', k)} AS ${ident(`k${i}`)}`),
    sql`${account} AS account`,
    ...compared.flatMap((_, i) => [ident('n', `r${i}`), ident('n', `p${i}`)]),
  ];
  return sql`SELECT ${join(columns, ', ')} FROM ${names.table('main', shape.name)} p JOIN ${names.table('prod', shape.name)} x ON ${keyMatch('p', 'x', shape.primaryKey)} CROSS APPLY (SELECT ${applied}) n WHERE EXISTS (SELECT 1 FROM ${names.table('pre', shape.name)} o WHERE ${keyMatch('o', 'p', shape.primaryKey)}) AND (${differs})`;
}

/** Rows that existed before the bill run and that only one side deleted. */
export function deletedRowsTsql(shape: TableShape, account: Fragment, names: ThreePartNames): Fragment {
  const inSide = (side: Side): Fragment => sql`CASE WHEN EXISTS (SELECT 1 FROM ${names.table(side, shape.name)} s WHERE ${keyMatch('s', 'p', shape.primaryKey)}) THEN 1 ELSE 0 END`;
  const keys = join(shape.primaryKey.map((k, i) => sql`${ident('p', k)} AS ${ident(`k${i}`)}`), ', ');
  return sql`SELECT ${keys}, ${account} AS account, ${inSide('main')} AS in_rehearsal, ${inSide('prod')} AS in_production FROM ${names.table('pre', shape.name)} p WHERE ${inSide('main')} <> ${inSide('prod')}`;
}

function bySide(n: 0 | 1): Fragment {
  return n === 0 ? sql`SUM(CASE WHEN side = 0 THEN 1 ELSE 0 END)` : sql`SUM(CASE WHEN side = 1 THEN 1 ELSE 0 END)`;
}

/**
 * Rows the bill run added on either side, as a multiset of their compared content, as on SQLite:
 * a group whose count differs between the sides is a difference. Groups are keyed by the hash of
 * the values' bytes (a case-insensitive collation would merge `abc` and `ABC`) and ordered by
 * code point, natural key first, so rows sharing it arrive next to each other.
 */
export function addedRowsTsql(shape: TableShape, content: readonly ContentColumn[], account: (side: Side) => Fragment, names: ThreePartNames, releases: Releases): Fragment {
  const isNew = shape.primaryKey.length === 0 ? sql`1 = 1` : sql`NOT EXISTS (SELECT 1 FROM ${names.table('pre', shape.name)} o WHERE ${keyMatch('o', 'x', shape.primaryKey)})`;
  // A reference is read once per row, as the referenced row's unique key; normalizing then reads the column.
  const raw = (c: ContentColumn, side: Side): Fragment => {
    if (c.reference === undefined) return sql`${ident('x', c.column)}`;
    const key = join(c.reference.uniqueKey.map((u) => sql`CAST(${ident('r', u)} AS NVARCHAR(MAX))`), ' + NCHAR(31) + ');
    return sql`(SELECT ${key} FROM ${names.table(side, c.reference.table)} r WHERE ${ident('r', c.reference.references)} = ${ident('x', c.column)})`;
  };
  const typeOfContent = (c: ContentColumn): string => (c.reference === undefined ? typeOf(shape, c.column) : 'nvarchar');
  const valueOf = (c: ContentColumn, i: number, side: Side): { value: Fragment; text: boolean } => normalized(sql`${ident('y', `c${i}`)}`, typeOfContent(c), side, releases);
  const side = (name: Side, n: 0 | 1): Fragment => {
    const read = join(content.map((c, i) => sql`${raw(c, name)} AS ${ident(`c${i}`)}`), ', ');
    const values = join(content.map((c, i) => sql`${valueOf(c, i, name).value} AS ${ident(`c${i}`)}`), ', ');
    return sql`SELECT ${n === 0 ? sql`0` : sql`1`} AS side, ${values}, y.account FROM (SELECT ${read}, ${account(name)} AS account FROM ${names.table(name, shape.name)} x WHERE ${isNew}) y`;
  };
  const groups = join(content.map((_, i) => ident(`c${i}`)), ', ');
  const hash = sql`HASHBYTES('SHA2_256', ${join(content.map((_, i) => image(sql`${ident('v', `c${i}`)}`)), ' + ')})`;
  const order = join(content.map((c, i) => (valueOf(c, i, 'main').text ? tsqlDialect.codePointOrder(sql`${ident(`c${i}`)}`) : sql`${ident(`c${i}`)}`)), ', ');
  return sql`SELECT ${groups}, ${bySide(0)} AS in_rehearsal, ${bySide(1)} AS in_production, MIN(account) AS account FROM (SELECT v.*, ${hash} AS h FROM (${side('main', 0)} UNION ALL ${side('prod', 1)}) v) u GROUP BY h, ${groups} HAVING ${bySide(0)} <> ${bySide(1)} ORDER BY ${order}`;
}

/** The highest key of a table in each database: whether either bill run added rows to it. */
export function highestKeysTsql(shape: TableShape, names: ThreePartNames): Fragment {
  const key = ident(shape.primaryKey[0] ?? 'id');
  const highest = (where: Side | 'pre'): Fragment => sql`(SELECT COALESCE(MAX(${key}), 0) FROM ${names.table(where, shape.name)})`;
  return sql`SELECT ${highest('pre')} AS pre, ${highest('main')} AS main, ${highest('prod')} AS prod`;
}
