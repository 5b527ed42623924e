import type { TableShape } from './table-shapes.js';
import type { AccountIdentity } from './rules.js';
import type { AccountRoute } from './account-paths.js';
import type { ContentColumn } from './added-content.js';

/** The attached schemas: the billed copy, the same copy just before the bill run, production's result masked alike. */
export type Side = 'main' | 'prod';
export const PRE = 'pre';

export function q(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const DATE = '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]';
const HEX4 = '[0-9a-fA-F]'.repeat(4);
const GUID = `${HEX4}${HEX4}-${HEX4}-${HEX4}-${HEX4}-${HEX4}${HEX4}${HEX4}`;

/** Per side, the release that billed it: the text each release writes about itself compares equal. */
export type Releases = Readonly<Record<Side, string | undefined>>;

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The value as compared: wall-clock timestamps and GUIDs reduced to a marker, the side's own
 * release version to `<release>`, anything else as stored.
 */
export function normalized(expr: string, side: Side, releases: Releases): string {
  const release = releases[side];
  const text = release === undefined || release === '' ? expr : `replace(${expr}, ${literal(release)}, '<release>')`;
  return (
    `CASE WHEN typeof(${expr}) <> 'text' THEN ${expr} ` +
    `WHEN ${expr} GLOB '${DATE}[T ][0-2][0-9]:[0-5][0-9]*' AND NOT (${expr} GLOB '${DATE}[T ]00:00' OR ${expr} GLOB '${DATE}[T ]00:00:00*') THEN '<time>' ` +
    `WHEN ${expr} GLOB '${GUID}' THEN '<guid>' ELSE ${text} END`
  );
}

function keyMatch(left: string, right: string, key: readonly string[]): string {
  return key.map((k) => `${left}.${q(k)} = ${right}.${q(k)}`).join(' AND ');
}

/** The SQLite expression naming the account a row (as `alias`) belongs to, by its route; undefined where it has none. */
export function accountExpression(route: AccountRoute | undefined, alias: string, schema: Side | typeof PRE, accounts: AccountIdentity): string | undefined {
  if (route === undefined) return undefined;
  if (route.self) return `${alias}.${q(accounts.key)}`;
  const found = route.paths.map((path) => {
    const value = path.hops.reduce((previous, hop, i) => (i === 0 ? `${alias}.${q(hop.column)}` : `(SELECT s.${q(hop.column)} FROM ${schema}.${q(hop.table)} s WHERE s.${q(hop.key)} = ${previous})`), '');
    return `(SELECT a.${q(accounts.key)} FROM ${schema}.${q(accounts.table)} a WHERE a.${q(path.references)} = ${value})`;
  });
  if (found.length <= 1) return found[0];
  return `coalesce(${found.join(', ')})`;
}

/** Rows that existed before the bill run and now differ between the two sides, with both values of every compared column. */
export function changedRowsSql(shape: TableShape, compared: readonly string[], account: string | undefined, releases: Releases): string {
  const rehearsal = (c: string): string => normalized(`p.${q(c)}`, 'main', releases);
  const production = (c: string): string => normalized(`x.${q(c)}`, 'prod', releases);
  // Equal stored values are equal whatever normalizing would make of them: a row from before this
  // bill run that names the old release is the same row on both sides.
  const differs = compared.map((c) => `(p.${q(c)} IS NOT x.${q(c)} AND ${rehearsal(c)} IS NOT ${production(c)})`).join(' OR ');
  const columns = [
    ...shape.primaryKey.map((k, i) => `p.${q(k)} AS k${i}`),
    `${account ?? 'NULL'} AS account`,
    ...compared.flatMap((c, i) => [`${rehearsal(c)} AS r${i}`, `${production(c)} AS p${i}`]),
  ];
  return (
    `SELECT ${columns.join(', ')} FROM main.${q(shape.name)} p JOIN prod.${q(shape.name)} x ON ${keyMatch('p', 'x', shape.primaryKey)} ` +
    `WHERE EXISTS (SELECT 1 FROM ${PRE}.${q(shape.name)} o WHERE ${keyMatch('o', 'p', shape.primaryKey)}) AND (${differs})`
  );
}

/** Rows that existed before the bill run and that only one side deleted. */
export function deletedRowsSql(shape: TableShape, account: string | undefined): string {
  const inSide = (side: Side): string => `EXISTS (SELECT 1 FROM ${side}.${q(shape.name)} s WHERE ${keyMatch('s', 'p', shape.primaryKey)})`;
  return (
    `SELECT ${shape.primaryKey.map((k, i) => `p.${q(k)} AS k${i}`).join(', ')}, ${account ?? 'NULL'} AS account, ${inSide('main')} AS in_rehearsal, ${inSide('prod')} AS in_production ` +
    `FROM ${PRE}.${q(shape.name)} p WHERE ${inSide('main')} <> ${inSide('prod')}`
  );
}

/** One compared value of an added row on one side: a reference to another row by that row's unique key where it has one. */
function contentExpression(c: ContentColumn, side: Side): string {
  if (c.reference === undefined) return `x.${q(c.column)}`;
  const key = c.reference.uniqueKey.map((u) => `r.${q(u)}`).join(` || char(31) || `);
  return `(SELECT ${key} FROM ${side}.${q(c.reference.table)} r WHERE r.${q(c.reference.references)} = x.${q(c.column)})`;
}

/**
 * Rows the bill run added on either side, as a multiset of their compared content: a group
 * whose count differs between the sides is a difference. Ordered by the content, so rows sharing a
 * natural key (listed first) arrive next to each other and can be paired in one pass.
 */
export function addedRowsSql(shape: TableShape, content: readonly ContentColumn[], account: (side: Side) => string | undefined, releases: Releases): string {
  const isNew = shape.primaryKey.length === 0 ? '1' : `NOT EXISTS (SELECT 1 FROM ${PRE}.${q(shape.name)} o WHERE ${keyMatch('o', 'x', shape.primaryKey)})`;
  const side = (name: Side, n: number): string =>
    `SELECT ${n} AS side, ${content.map((c, i) => `${normalized(contentExpression(c, name), name, releases)} AS c${i}`).join(', ')}, ${account(name) ?? 'NULL'} AS account FROM ${name}.${q(shape.name)} x WHERE ${isNew}`;
  const groups = content.map((_, i) => `c${i}`).join(', ');
  return (
    `SELECT ${groups}, SUM(side = 0) AS in_rehearsal, SUM(side = 1) AS in_production, MIN(account) AS account ` +
    `FROM (${side('main', 0)} UNION ALL ${side('prod', 1)}) GROUP BY ${groups} HAVING SUM(side = 0) <> SUM(side = 1) ORDER BY ${groups}`
  );
}
