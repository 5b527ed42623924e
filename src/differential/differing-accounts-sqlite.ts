import { SqliteEngine } from '../engine/sqlite.js';
import type { Profile } from '../platform/profile.js';
import { ident, join, keyword, sql, type Fragment, type Keyword } from '../sql/fragment.js';
import { sqliteDialect } from '../sql/dialect.js';
import { isToolTable } from '../run/tool-tables.js';
import { ACCOUNT_COLUMNS, CHARGE_COLUMNS, pairDifferingRows, type DifferingAccounts, type DifferingRow, type TraitGroup } from './differing-accounts.js';

const PRODUCTION = 'rh_production';
const ACCOUNTS = 'rh_diff_accounts';
const CHARGES = 'rh_diff_charges';
const DIFFERING = 'rh_diff_differing';

const list = (columns: readonly string[], alias?: string): Fragment => join(columns.map((c) => (alias === undefined ? ident(c) : ident(alias, c))), ', ');

/**
 * The statements, in order, that find the differing accounts inside SQLite: both sides' rows are
 * read by the adapter's own queries into temporary tables (untyped columns, so no value is
 * converted on the way), then grouped by every column with a count per side. A group whose
 * counts differ is a differing account; equal groups hold equal values, which the merge would
 * also find equal, so the result is the merge's.
 */
export function sqliteDiffStatements(profile: Profile, billDate: string): {
  readonly create: readonly Fragment[];
  readonly read: (side: 0 | 1) => readonly Fragment[];
  readonly differing: readonly Fragment[];
  readonly counts: Fragment;
  readonly traitGroups: Fragment;
  readonly rows: Fragment;
} {
  const parameters = { billDate };
  const side = (n: 0 | 1): Keyword => keyword(String(n));
  const bySide = (n: 0 | 1): Fragment => sql`SUM(side = ${side(n)})`;
  const order = (column: string): Fragment => sqliteDialect.codePointOrder(sql`${ident(column)}`);
  return {
    create: [
      sql`CREATE TEMP TABLE ${ident(ACCOUNTS)} (side, ${list(ACCOUNT_COLUMNS)})`,
      sql`CREATE TEMP TABLE ${ident(CHARGES)} (side, ${list(CHARGE_COLUMNS)})`,
      sql`CREATE TEMP TABLE ${ident(DIFFERING)} (account_number PRIMARY KEY)`,
    ],
    read: (n) => [
      sql`INSERT INTO temp.${ident(ACCOUNTS)} SELECT ${side(n)}, ${list(ACCOUNT_COLUMNS, 'q')} FROM (${profile.body('comparableAccounts', sqliteDialect, parameters)}) q`,
      sql`INSERT INTO temp.${ident(CHARGES)} SELECT ${side(n)}, ${list(CHARGE_COLUMNS, 'q')} FROM (${profile.body('charges', sqliteDialect, parameters)}) q`,
    ],
    differing: [
      sql`INSERT OR IGNORE INTO temp.${ident(DIFFERING)} SELECT account_number FROM temp.${ident(ACCOUNTS)} GROUP BY ${list(ACCOUNT_COLUMNS)} HAVING ${bySide(0)} <> ${bySide(1)}`,
      sql`INSERT OR IGNORE INTO temp.${ident(DIFFERING)} SELECT account_number FROM temp.${ident(CHARGES)} GROUP BY ${list(CHARGE_COLUMNS)} HAVING ${bySide(0)} <> ${bySide(1)}`,
    ],
    counts: sql`SELECT COUNT(*) AS accounts, COALESCE(SUM(sides = 2), 0) AS in_both FROM (SELECT COUNT(DISTINCT side) AS sides FROM temp.${ident(ACCOUNTS)} GROUP BY account_number)`,
    // SQLite takes the bare columns from the row holding MIN(side): the rehearsal's row where it has one.
    traitGroups: sql`SELECT package_traits, pool_role, is_child, COUNT(*) AS accounts, MIN(account_number) AS first FROM (SELECT MIN(side), account_number, package_traits, pool_role, is_child FROM temp.${ident(ACCOUNTS)} GROUP BY account_number) GROUP BY package_traits, pool_role, is_child ORDER BY ${order('first')}`,
    rows: sql`SELECT account_number, side, 0 AS what, ${list(ACCOUNT_COLUMNS.filter((c) => c !== 'account_number'))}, NULL AS kind, NULL AS amount FROM temp.${ident(ACCOUNTS)} WHERE account_number IN (SELECT account_number FROM temp.${ident(DIFFERING)}) UNION ALL SELECT account_number, side, 1, ${join(ACCOUNT_COLUMNS.slice(1).map(() => sql`NULL`), ', ')}, kind, amount FROM temp.${ident(CHARGES)} WHERE account_number IN (SELECT account_number FROM temp.${ident(DIFFERING)}) ORDER BY ${order('account_number')}, side, what`,
  };
}

/**
 * Runs the production diff's comparison inside SQLite: the rehearsal copy opened read-only,
 * production's result attached (read-only with it), and only the differing accounts' rows read.
 * Returns undefined when the two databases do not hold the same tables (the tool's own marker,
 * seal and masking tables aside): a concept's query could then read the wrong side, so the
 * streaming merge compares them instead.
 */
export async function withSqliteDifferingAccounts<T>(rehearsalPath: string, productionPath: string, profile: Profile, billDate: string, use: (found: DifferingAccounts) => Promise<T>): Promise<T | undefined> {
  const engine = SqliteEngine.open(rehearsalPath, { readonly: true });
  try {
    await engine.exec(sql`ATTACH DATABASE ${productionPath} AS ${ident(PRODUCTION)}`);
    const tables = async (schema: string): Promise<string[]> =>
      (await engine.query<{ name: string }>(sql`SELECT name FROM ${ident(schema)}.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)).map((r) => r.name).filter((name) => !isToolTable(name));
    const own = await tables('main');
    const theirs = await tables(PRODUCTION);
    if (own.join('\u0000') !== theirs.join('\u0000')) return undefined;
    const statements = sqliteDiffStatements(profile, billDate);
    for (const statement of statements.create) await engine.exec(statement);
    for (const statement of statements.read(0)) await engine.exec(statement);
    // Temporary views are found before the copy's tables: the same queries now read production's result.
    for (const table of theirs) await engine.exec(sql`CREATE TEMP VIEW ${ident(table)} AS SELECT * FROM ${ident(PRODUCTION, table)}`);
    for (const statement of statements.read(1)) await engine.exec(statement);
    for (const table of theirs) await engine.exec(sql`DROP VIEW temp.${ident(table)}`);
    for (const statement of statements.differing) await engine.exec(statement);
    const [counts] = await engine.query<{ accounts: number; in_both: number }>(statements.counts);
    const traitGroups: TraitGroup[] = (await engine.query(statements.traitGroups)).map((g) => ({
      row: { package_traits: g['package_traits'] === null ? null : String(g['package_traits']), pool_role: String(g['pool_role']), is_child: Number(g['is_child']) },
      accounts: Number(g['accounts']),
    }));
    return await use({
      accounts: Number(counts?.accounts ?? 0),
      inBoth: Number(counts?.in_both ?? 0),
      traitGroups,
      differing: () => pairDifferingRows(engine.stream<DifferingRow>(statements.rows)),
    });
  } finally {
    await engine.close();
  }
}
