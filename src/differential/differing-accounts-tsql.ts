import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { ident, join, keyword, sql, type Fragment } from '../sql/fragment.js';
import { tsqlDialect } from '../sql/tsql.js';
import { ACCOUNT_COLUMNS, CHARGE_COLUMNS, pairDifferingRows, type DifferingAccounts, type DifferingRow, type TraitGroup } from './differing-accounts.js';

/** Where each side lives on the one server: the rehearsal copy and production's result, by database name. */
export interface SameServerDatabases {
  readonly rehearsal: string;
  readonly production: string;
}

/** The temporary tables of one comparison; global (`##`) so a batch run in either database's context can fill them. */
export function tsqlTables(tag: string): { accounts: [string, string]; charges: [string, string]; differing: string } {
  if (!/^[0-9a-f]{8,32}$/.test(tag)) throw new Error(`a temporary table tag is lower-case hex, got ${JSON.stringify(tag)}`);
  return { accounts: [`##rh_accounts_0_${tag}`, `##rh_accounts_1_${tag}`], charges: [`##rh_charges_0_${tag}`, `##rh_charges_1_${tag}`], differing: `#rh_differing_${tag}` };
}

/** A value as bytes, its length first and NULL apart: equal images are equal values of the same type, case and trailing spaces included. */
function image(column: Fragment): Fragment {
  return sql`CASE WHEN ${column} IS NULL THEN 0x00 ELSE 0x01 + CAST(DATALENGTH(${column}) AS BINARY(4)) + CAST(${column} AS VARBINARY(MAX)) END`;
}

function rowHash(columns: readonly string[], alias: string): Fragment {
  return sql`HASHBYTES('SHA2_256', ${join(columns.map((c) => image(sql`${ident(alias, c)}`)), ' + ')})`;
}

const key = (alias: string): Fragment => sql`CAST(${ident(alias, 'account_number')} AS VARBINARY(900))`;

/**
 * `EXEC [db].sys.sp_executesql`: the adapter's query run in that database's context (its table
 * names unqualified, as written), its rows kept in a global temporary table of this session.
 */
function readInto(database: string, target: string, side: 0 | 1, columns: readonly string[], body: Fragment): Fragment {
  const { text, params } = tsqlDialect.render(sql`SELECT CAST(${keyword(String(side))} AS TINYINT) AS side, ${join(columns.map((c) => ident('q', c)), ', ')} INTO ${ident(target)} FROM (${body}) q`);
  const names = Object.keys(params);
  const declared = names.map((n) => `@${n} NVARCHAR(MAX)`).join(', ');
  const passed = names.map((n) => sql`, ${keyword(`@${n}`)} = ${params[n] ?? null}`);
  return names.length === 0
    ? sql`EXEC ${ident(database)}.sys.sp_executesql ${text}`
    : sql`EXEC ${ident(database)}.sys.sp_executesql ${text}, ${declared}${join(passed, '')}`;
}

function bySide(n: 0 | 1): Fragment {
  return sql`SUM(CASE WHEN side = ${keyword(String(n))} THEN 1 ELSE 0 END)`;
}

/**
 * The statements that find the differing accounts on SQL Server, in order, for the rehearsal copy
 * and production's result on one server: both sides read by the adapter's queries through
 * three-part `sp_executesql`, then each row hashed over the bytes of its values and grouped with
 * a count per side. Only when both sides' columns have the same types (`columnTypes`) do equal
 * bytes mean equal values to the merge, so the caller compares the types first.
 */
export function tsqlDiffStatements(profile: Profile, billDate: string, databases: SameServerDatabases, tag: string) {
  const tables = tsqlTables(tag);
  const parameters = { billDate };
  const accounts = profile.body('comparableAccounts', tsqlDialect, parameters);
  const charges = profile.body('charges', tsqlDialect, parameters);
  const both = (pair: [string, string], columns: Fragment): Fragment =>
    sql`SELECT 0 AS side, ${columns} FROM ${ident(pair[0])} x UNION ALL SELECT 1 AS side, ${columns} FROM ${ident(pair[1])} x`;
  const differingKeys = (pair: [string, string], columns: readonly string[]): Fragment =>
    sql`SELECT k FROM (${both(pair, sql`${key('x')} AS k, ${rowHash(columns, 'x')} AS h`)}) u GROUP BY k, h HAVING ${bySide(0)} <> ${bySide(1)}`;
  const inDiffering = (alias: string): Fragment => sql`${key(alias)} IN (SELECT k FROM ${ident(tables.differing)})`;
  const nulls = join(ACCOUNT_COLUMNS.slice(1).map(() => sql`NULL`), ', ');
  const rest = join(ACCOUNT_COLUMNS.filter((c) => c !== 'account_number').map((c) => ident('x', c)), ', ');
  const accountRows = (n: 0 | 1): Fragment =>
    sql`SELECT x.account_number, ${keyword(String(n))} AS side, 0 AS what, ${rest}, NULL AS kind, NULL AS amount FROM ${ident(tables.accounts[n])} x WHERE ${inDiffering('x')}`;
  const chargeRows = (n: 0 | 1): Fragment =>
    sql`SELECT x.account_number, ${keyword(String(n))} AS side, 1 AS what, ${nulls}, x.kind, x.amount FROM ${ident(tables.charges[n])} x WHERE ${inDiffering('x')}`;
  const traits = ['package_traits', 'pool_role', 'is_child'];
  return {
    tables,
    read: [
      readInto(databases.rehearsal, tables.accounts[0], 0, ACCOUNT_COLUMNS, accounts),
      readInto(databases.production, tables.accounts[1], 1, ACCOUNT_COLUMNS, accounts),
      readInto(databases.rehearsal, tables.charges[0], 0, CHARGE_COLUMNS, charges),
      readInto(databases.production, tables.charges[1], 1, CHARGE_COLUMNS, charges),
    ],
    columnTypes: (table: string): Fragment =>
      sql`SELECT c.name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.collation_name FROM tempdb.sys.columns c WHERE c.object_id = OBJECT_ID(${`tempdb..${table}`}) AND c.name <> 'side' ORDER BY c.column_id`,
    differing: sql`SELECT DISTINCT k INTO ${ident(tables.differing)} FROM (${differingKeys(tables.accounts, ACCOUNT_COLUMNS)} UNION ALL ${differingKeys(tables.charges, CHARGE_COLUMNS)}) d`,
    counts: sql`SELECT COUNT(*) AS accounts, COALESCE(SUM(CASE WHEN sides = 2 THEN 1 ELSE 0 END), 0) AS in_both FROM (SELECT k, COUNT(DISTINCT side) AS sides FROM (${both(tables.accounts, sql`${key('x')} AS k`)}) u GROUP BY k) g`,
    // The rehearsal's row where it has the account, production's otherwise: the row the merge reads.
    traitGroups: sql`SELECT MIN(b.package_traits) AS package_traits, MIN(b.pool_role) AS pool_role, MIN(b.is_child) AS is_child, COUNT(*) AS accounts, MIN(${tsqlDialect.codePointOrder(sql`b.account_number`)}) AS first FROM (SELECT ${join(['account_number', ...traits].map((c) => ident('x', c)), ', ')} FROM ${ident(tables.accounts[0])} x UNION ALL SELECT ${join(['account_number', ...traits].map((c) => ident('p', c)), ', ')} FROM ${ident(tables.accounts[1])} p WHERE NOT EXISTS (SELECT 1 FROM ${ident(tables.accounts[0])} r WHERE ${key('r')} = ${key('p')})) b GROUP BY ${rowHash(traits, 'b')} ORDER BY first`,
    rows: sql`SELECT account_number, side, what, ${join(ACCOUNT_COLUMNS.slice(1).map((c) => ident(c)), ', ')}, kind, amount FROM (${accountRows(0)} UNION ALL ${accountRows(1)} UNION ALL ${chargeRows(0)} UNION ALL ${chargeRows(1)}) d ORDER BY ${tsqlDialect.codePointOrder(sql`account_number`)}, side, what`,
    drop: [...tables.accounts, ...tables.charges, tables.differing].map((t) => sql`DROP TABLE IF EXISTS ${ident(t)}`),
  };
}

/**
 * The production diff's comparison run on SQL Server when the rehearsal copy and production's
 * result are databases on one server: on one connection (a transaction, so the temporary tables
 * live as long as the work), only differing accounts stream back. Returns undefined when the two
 * sides' columns differ in type: bytes would then not say what the merge says, so it merges.
 */
export async function withTsqlDifferingAccounts<T>(engine: DatabaseEngine, databases: SameServerDatabases, profile: Profile, billDate: string, tag: string, use: (found: DifferingAccounts) => Promise<T>): Promise<T | undefined> {
  const statements = tsqlDiffStatements(profile, billDate, databases, tag);
  return engine.transaction(async (tx) => {
    try {
      for (const statement of statements.read) await tx.exec(statement);
      const types = async (table: string): Promise<string> => JSON.stringify(await tx.query(statements.columnTypes(table)));
      const { accounts, charges } = statements.tables;
      if ((await types(accounts[0])) !== (await types(accounts[1])) || (await types(charges[0])) !== (await types(charges[1]))) return undefined;
      await tx.exec(statements.differing);
      const [counts] = await tx.query(statements.counts);
      const traitGroups: TraitGroup[] = (await tx.query(statements.traitGroups)).map((g) => ({
        row: { package_traits: g['package_traits'] === null ? null : String(g['package_traits']), pool_role: String(g['pool_role']), is_child: Number(g['is_child']) },
        accounts: Number(g['accounts']),
      }));
      return await use({
        accounts: Number(counts?.['accounts'] ?? 0),
        inBoth: Number(counts?.['in_both'] ?? 0),
        traitGroups,
        differing: () => pairDifferingRows(tx.stream<DifferingRow>(statements.rows)),
      });
    } finally {
      for (const statement of statements.drop) await tx.exec(statement);
    }
  });
}
