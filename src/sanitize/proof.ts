import { sql, ident, join, type Fragment } from '../sql/fragment.js';
import type { ColumnInfo, DatabaseEngine, TableInfo } from '../engine/types.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { MARKER_TABLE } from '../run/marker.js';
import { SEAL_TABLE } from '../run/copy-seal.js';
import { hasCardNumber, hasPhoneNumber } from './numbers-in-text.js';
import { connectionStringHosts, isUnderDomain, mayHoldConnectionString, productionDomainPattern } from './hosts-in-text.js';
import type { RuleSet } from './rules.js';
import { FAKE_TABLE_PREFIX } from './fake-values.js';

export type FindingKind = 'email' | 'card-number' | 'phone' | 'production-host' | 'connection-string';

/** What the proof found in one column: counts only, never the values themselves. */
export interface ProofFinding {
  readonly column: string;
  readonly kind: FindingKind;
  readonly count: number;
  /** Set when the plan allows this column, with the reason a person wrote. */
  readonly allowedBecause?: string;
}

export interface SanitizeProof {
  readonly passed: boolean;
  readonly columnsScanned: number;
  readonly rowsScanned: number;
  readonly findings: readonly ProofFinding[];
  /** Columns whose names suggest personal or secret data that no rule touches. */
  readonly unruledSensitiveColumns: readonly string[];
}

export interface ProofOptions {
  readonly safeDomain: string;
  /** Hosts named in the plan (mail servers, switches): found anywhere in text, as written. */
  readonly productionHosts: readonly string[];
  /** The plan's `sanitize.productionDomains`: any host under them is found anywhere in text. */
  readonly productionDomains?: readonly string[];
  /** Servers a connection string may name besides the safe domain and loopback (the rehearsal's own database server). */
  readonly safeHosts?: readonly string[];
  readonly allow: readonly { readonly column: string; readonly reason: string }[];
  /** Columns the product itself writes and that hold no customer data. */
  readonly skipTables?: readonly string[];
}

const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
const SENSITIVE_NAME = /e?mail|phone|mobile|fax|card|(^|_)pan($|_)|token|password|secret|iban|account_?number|address|street|ssn|dob|birth|routing/i;
/**
 * The fewest digits a phone number has (numbers-in-text.ts): ten without a `+`, eight after one;
 * a card has 13. Values with fewer digits hold neither, whatever else they contain.
 */
const MIN_NUMBER_DIGITS = 10;
const MIN_PLUS_NUMBER_LENGTH = 9;
/** GLOB: at least MIN_NUMBER_DIGITS digits anywhere in the value. */
const ENOUGH_DIGITS_GLOB = `${'*[0-9]'.repeat(MIN_NUMBER_DIGITS)}*`;
/** Exactly what the `phone` masker writes: fictional, never a finding, and in every masked phone column. */
const MASKED_PHONE_GLOB = '+1 555 01[0-9][0-9]';

/** Finding kinds as bits, so one value's findings are one integer (SQLite sums them per column). */
const BIT = { email: 1, 'card-number': 2, phone: 4, 'production-host': 8, 'connection-string': 16 } as const satisfies Record<FindingKind, number>;
const KIND_BITS = Object.entries(BIT) as [FindingKind, number][];

/** SQLite: counts one column's values by finding kind, as JSON `[email, card, phone, host, connection string]`. */
const SQLITE_PROOF_AGGREGATE = 'rehearsal_pii_counts';

/**
 * Scans every text column of every table, not only the ruled ones: a rule set that forgot a
 * column must not pass. Any finding outside the plan's allow list blocks the bill run.
 */
export async function provePiiRemoved(engine: DatabaseEngine, ruleSet: RuleSet, options: ProofOptions): Promise<SanitizeProof> {
  const tables = (await engine.tables()).filter(
    (t) => t.name !== MARKER_TABLE && t.name !== SEAL_TABLE && !t.name.startsWith(FAKE_TABLE_PREFIX) && !(options.skipTables ?? []).includes(t.name),
  );
  const counts = new Map<string, number>();
  const scan = scanner(options);
  let columnsScanned = 0;
  let rowsScanned = 0;
  const add = (column: string, kind: FindingKind, n: number): void => {
    if (n === 0) return;
    const key = `${column}\u0000${kind}`;
    counts.set(key, (counts.get(key) ?? 0) + n);
  };

  const scanTable = engine instanceof SqliteEngine ? scanTableInSqlite(engine, scan) : engine.dialect.name === 'tsql' ? scanTableWithTsqlPrefilter(engine, scan) : scanTableByStreaming(engine, scan);
  for (const table of tables) {
    const textColumns = table.columns.filter((c) => c.isText);
    if (textColumns.length === 0) continue;
    columnsScanned += textColumns.length;
    const scanned = await scanTable(table.name, textColumns);
    rowsScanned += scanned.rows;
    textColumns.forEach((column, i) => {
      for (const [kind] of KIND_BITS) add(`${table.name}.${column.name}`, kind, scanned.counts[i]?.get(kind) ?? 0);
    });
  }

  const allowed = new Map(options.allow.map((a) => [a.column, a.reason]));
  const findings: ProofFinding[] = [...counts.entries()]
    .map(([key, count]) => {
      const [column = '', kind] = key.split('\u0000');
      const reason = allowed.get(column);
      return { column, kind: kind as FindingKind, count, ...(reason !== undefined ? { allowedBecause: reason } : {}) };
    })
    .sort((a, b) => a.column.localeCompare(b.column) || a.kind.localeCompare(b.kind));

  return {
    passed: findings.every((f) => f.allowedBecause !== undefined),
    columnsScanned,
    rowsScanned,
    findings,
    unruledSensitiveColumns: unruledSensitive(tables, ruleSet),
  };
}

interface Scanner {
  readonly safeDomain: string;
  readonly hosts: readonly string[];
  readonly domains: readonly string[];
  readonly underDomain: RegExp | undefined;
  readonly safeHosts: ReadonlySet<string>;
}

function scanner(options: ProofOptions): Scanner {
  const lower = (names: readonly string[]): string[] => names.map((h) => h.toLowerCase().replace(/\.$/, '')).filter((h) => h.length > 0);
  const domains = lower(options.productionDomains ?? []);
  return {
    safeDomain: options.safeDomain.toLowerCase(),
    hosts: lower(options.productionHosts),
    domains,
    underDomain: productionDomainPattern(domains),
    safeHosts: new Set(lower(options.safeHosts ?? [])),
  };
}

/** One table's rows and, per text column in the order given, the rows with each kind of finding. */
interface TableScan {
  readonly rows: number;
  readonly counts: readonly ReadonlyMap<FindingKind, number>[];
}

type TableScanner = (table: string, columns: readonly ColumnInfo[]) => Promise<TableScan>;

/**
 * SQLite: one aggregate query per table. A cheap test in SQL (the aggregate's FILTER) lets
 * through only the values that could hold a finding; only those cross into JavaScript for the
 * regular expressions, and the rows never do. The test must pass every value `findingsIn`
 * could flag:
 * - an e-mail needs an `@`;
 * - a card or phone number needs MIN_NUMBER_DIGITS digits, or a `+` and MIN_PLUS_NUMBER_LENGTH
 *   characters; values that are exactly an ISO timestamp or a masked phone hold neither;
 * - a connection string needs `=` or `://`;
 * - a production host or domain is found by a GLOB that ignores ASCII case, exact for ASCII text (GLOB,
 *   unlike LIKE, cannot be made case-sensitive by a PRAGMA in a vendor script, and unlike
 *   lower() it copies nothing);
 * - a value whose character count differs from its byte count has non-ASCII text (which
 *   JavaScript lower-cases differently from SQLite) or a NUL (where SQLite's `length` and
 *   `GLOB` stop reading): such values always go to JavaScript.
 */
function scanTableInSqlite(engine: SqliteEngine, scan: Scanner): TableScanner {
  engine.connection.aggregate(SQLITE_PROOF_AGGREGATE, {
    start: () => KIND_BITS.map(() => 0),
    step: (counts: number[], value: unknown) => {
      const found = typeof value === 'string' ? findingsIn(value, scan) : 0;
      KIND_BITS.forEach(([, bit], i) => {
        if ((found & bit) !== 0) counts[i] = (counts[i] ?? 0) + 1;
      });
      return counts;
    },
    result: (counts: number[]) => JSON.stringify(counts),
    deterministic: true,
    directOnly: true,
  });
  // A host under a production domain is found by the domain's pattern: one scan of the value fewer.
  const names = [...scan.hosts.filter((h) => !scan.domains.some((d) => isUnderDomain(h, d))), ...scan.domains];
  const hostPatterns = names.map(caseInsensitiveGlob);
  const shortestHost = Math.min(...names.map((h) => h.length));
  const candidate = (c: Fragment): Fragment =>
    join(
      [
        sql`instr(${c}, '@') > 0`,
        sql`length(${c}) <> octet_length(${c})`,
        sql`(length(${c}) >= ${MIN_NUMBER_DIGITS} AND ${c} GLOB '*[0-9]*' AND ${c} GLOB ${ENOUGH_DIGITS_GLOB} AND NOT (${join(DATE_TIME_GLOBS.map((p) => sql`${c} GLOB ${p}`), ' OR ')}))`,
        sql`(instr(${c}, '+') > 0 AND length(${c}) >= ${MIN_PLUS_NUMBER_LENGTH} AND ${c} GLOB '*+*[0-9]*' AND NOT ${c} GLOB ${MASKED_PHONE_GLOB})`,
        sql`instr(${c}, '=') > 0`,
        sql`instr(${c}, '://') > 0`,
        ...(hostPatterns.length === 0 ? [] : [sql`(length(${c}) >= ${shortestHost} AND (${join(hostPatterns.map((p) => sql`${c} GLOB ${p}`), ' OR ')}))`]),
      ],
      ' OR ',
    );
  return async (table, columns) => {
    const perColumn = columns.map((column, i) => {
      const c = sql`${ident(column.name)}`;
      return sql`${ident(SQLITE_PROOF_AGGREGATE)}(${c}) FILTER (WHERE ${candidate(c)}) AS ${ident(`c${i}`)}`;
    });
    const [row] = await engine.query(sql`SELECT count(*) AS ${ident('rows')}, ${join(perColumn, ', ')} FROM ${ident(table)}`);
    return {
      rows: Number(row?.['rows'] ?? 0),
      counts: columns.map((_, i) => {
        // NULL when the FILTER let no value through
        const counts = JSON.parse(String(row?.[`c${i}`] ?? '[]')) as number[];
        return new Map(KIND_BITS.map(([kind], k) => [kind, counts[k] ?? 0]));
      }),
    };
  };
}

/**
 * Values that are exactly an ISO date and time (`2026-11-01T02:00:00.000Z`) hold no card or phone
 * number, and timestamp columns are common; a value with anything around the timestamp still
 * goes to the patterns. (A date alone has too few digits to pass anyway.)
 */
const ISO_DATE = '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]';
const ISO_TIME = '[0-2][0-9]:[0-5][0-9]:[0-6][0-9]';
const DATE_TIME_GLOBS = ['T', ' '].flatMap((at) => ['', 'Z', '.[0-9][0-9][0-9]', '.[0-9][0-9][0-9]Z'].map((end) => `${ISO_DATE}${at}${ISO_TIME}${end}`));

/** `*host*` as a GLOB pattern matching either case of each ASCII letter; GLOB's own wildcards in the host match literally. */
function caseInsensitiveGlob(host: string): string {
  const literal = (ch: string): string => {
    if (/^[a-z]$/.test(ch)) return `[${ch.toUpperCase()}${ch}]`;
    return '*?[]'.includes(ch) ? `[${ch}]` : ch;
  };
  return `*${[...host].map(literal).join('')}*`;
}

/**
 * SQL Server: the server sends only rows where some text column could hold a finding, and the
 * rows are counted there, so a 200 GB copy does not cross the network to be scanned. The test is
 * a superset of what `findingsIn` flags, never a judge: every value it lets through is judged by
 * the same patterns as on SQLite, so the findings are the same as reading every row.
 * - an e-mail needs an `@`;
 * - a card or phone number needs MIN_NUMBER_DIGITS ASCII digits, or a `+` and eight digits;
 * - a connection string needs `=` or `://`;
 * - a production host or domain: `LIKE` under a case-insensitive collation, exact for ASCII text;
 * - any character outside printable ASCII (in code-point order, so no collation can fold it into
 *   range) sends the value to JavaScript, whose lower-casing and patterns decide.
 * Lengths are never tested: `LEN` ignores trailing spaces. `text`/`ntext` columns are cast, since
 * the string functions refuse them.
 */
export function tsqlCandidate(column: ColumnInfo, hosts: readonly string[]): Fragment {
  const c = ['text', 'ntext'].includes(column.type) ? sql`CAST(${ident(column.name)} AS NVARCHAR(MAX))` : sql`${ident(column.name)}`;
  const digits = (n: number): string => `%${'[0-9]%'.repeat(n)}`;
  return sql`(${join(
    [
      sql`CHARINDEX('@', ${c}) > 0`,
      sql`${c} LIKE ${digits(MIN_NUMBER_DIGITS)}`,
      sql`(CHARINDEX('+', ${c}) > 0 AND ${c} LIKE ${digits(8)})`,
      sql`CHARINDEX('=', ${c}) > 0`,
      sql`CHARINDEX('://', ${c}) > 0`,
      sql`PATINDEX(N'%[^ -~]%' COLLATE Latin1_General_BIN2, ${c}) > 0`,
      ...hosts.map((host) => sql`${c} COLLATE Latin1_General_CI_AS LIKE ${`%${escapeLike(host)}%`}`),
    ],
    ' OR ',
  )})`;
}

/** `%`, `_` and `[` stand for themselves inside brackets in a T-SQL LIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[%_[]/g, (ch) => `[${ch}]`);
}

function scanTableWithTsqlPrefilter(engine: DatabaseEngine, scan: Scanner): TableScanner {
  const stream = scanTableByStreaming(engine, scan);
  const hosts = [...scan.hosts.filter((h) => !scan.domains.some((d) => isUnderDomain(h, d))), ...scan.domains];
  return async (table, columns) => {
    const [counted] = await engine.query<{ row_count: number | bigint }>(sql`SELECT COUNT_BIG(*) AS row_count FROM ${ident(table)}`);
    const filtered = await stream(table, columns, join(columns.map((column) => tsqlCandidate(column, hosts)), ' OR '));
    return { rows: Number(counted?.row_count ?? 0), counts: filtered.counts };
  };
}

/** Other engines: every row of the table's text columns (or those `where` lets through) is read into JavaScript. */
function scanTableByStreaming(engine: DatabaseEngine, scan: Scanner): (table: string, columns: readonly ColumnInfo[], where?: Fragment) => Promise<TableScan> {
  return async (table, columns, where) => {
    const counts = columns.map(() => new Map<FindingKind, number>());
    let rows = 0;
    const select = sql`SELECT ${join(columns.map((c) => ident(c.name)), ', ')} FROM ${ident(table)}${where === undefined ? sql`` : sql` WHERE ${where}`}`;
    for await (const row of engine.stream(select)) {
      rows++;
      columns.forEach((column, i) => {
        const value = row[column.name];
        if (typeof value !== 'string') return;
        const found = findingsIn(value, scan);
        if (found === 0) return;
        const perKind = counts[i];
        for (const [kind, bit] of KIND_BITS) if ((found & bit) !== 0) perKind?.set(kind, (perKind.get(kind) ?? 0) + 1);
      });
    }
    return { rows, counts };
  };
}

/** The kinds found in one value, as KIND_BITS; each pattern runs only where it could match. */
function findingsIn(value: string, scan: Scanner): number {
  let kinds = 0;
  if (value.includes('@')) {
    for (const m of value.matchAll(EMAIL)) {
      const domain = (m[1] ?? '').toLowerCase();
      if (domain !== scan.safeDomain && !domain.endsWith(`.${scan.safeDomain}`)) {
        kinds |= BIT['email'];
        break;
      }
    }
  }
  if (value.length >= MIN_PLUS_NUMBER_LENGTH && mayHoldNumber(value)) {
    if (hasCardNumber(value)) kinds |= BIT['card-number'];
    if (hasPhoneNumber(value)) kinds |= BIT['phone'];
  }
  if (scan.hosts.length > 0 || scan.underDomain !== undefined) {
    const lower = value.toLowerCase();
    if (scan.hosts.some((h) => lower.includes(h)) || scan.underDomain?.test(lower) === true) kinds |= BIT['production-host'];
  }
  if (mayHoldConnectionString(value) && connectionStringHosts(value).some((host) => !isSafeServer(host, scan))) kinds |= BIT['connection-string'];
  return kinds;
}

/** MIN_NUMBER_DIGITS digits, or a `+` and E164's eight: counted, since most values that reach here (e-mails, streets) have a few. */
function mayHoldNumber(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57 && ++digits >= MIN_NUMBER_DIGITS) return true;
  }
  return digits >= 8 && value.includes('+');
}

/** A connection string may name the sandbox's own names (under the safe domain) and the rehearsal's database server. */
function isSafeServer(host: string, scan: Scanner): boolean {
  return isUnderDomain(host, scan.safeDomain) || scan.safeHosts.has(host);
}

function unruledSensitive(tables: readonly TableInfo[], ruleSet: RuleSet): string[] {
  const ruled = new Set(ruleSet.rules.flatMap((r) => r.columns.map((c) => `${r.table}.${c.column}`)));
  return tables
    .flatMap((t) => t.columns.filter((c) => SENSITIVE_NAME.test(c.name)).map((c) => `${t.name}.${c.name}`))
    .filter((name) => !ruled.has(name))
    .sort();
}
