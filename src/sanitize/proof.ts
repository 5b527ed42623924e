import { sql, ident, join } from '../sql/fragment.js';
import type { DatabaseEngine, TableInfo } from '../engine/types.js';
import { MARKER_TABLE } from '../run/marker.js';
import { FICTIONAL_PHONE, TEST_PAN_PREFIX, luhnValid } from './maskers.js';
import type { RuleSet } from './rules.js';
import { FAKE_TABLE_PREFIX } from './fake-values.js';

export type FindingKind = 'email' | 'card-number' | 'phone' | 'production-host';

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
  readonly productionHosts: readonly string[];
  readonly allow: readonly { readonly column: string; readonly reason: string }[];
  /** Columns the product itself writes and that hold no customer data. */
  readonly skipTables?: readonly string[];
}

const EMAIL = /[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
const DIGIT_RUN = /\d(?:[ -]?\d){12,18}/g;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;
const SENSITIVE_NAME = /e?mail|phone|mobile|fax|card|(^|_)pan($|_)|token|password|secret|iban|account_?number|address|street|ssn|dob|birth|routing/i;

/**
 * Scans every text column of every table, not only the ruled ones: a rule set that forgot a
 * column must not pass. Any finding outside the plan's allow list blocks the bill run.
 */
export async function provePiiRemoved(engine: DatabaseEngine, ruleSet: RuleSet, options: ProofOptions): Promise<SanitizeProof> {
  const tables = (await engine.tables()).filter(
    (t) => t.name !== MARKER_TABLE && !t.name.startsWith(FAKE_TABLE_PREFIX) && !(options.skipTables ?? []).includes(t.name),
  );
  const counts = new Map<string, number>();
  const safe = options.safeDomain.toLowerCase();
  const hosts = options.productionHosts.map((h) => h.toLowerCase()).filter((h) => h.length > 0);
  let columnsScanned = 0;
  let rowsScanned = 0;
  const bump = (column: string, kind: FindingKind): void => {
    const key = `${column}\u0000${kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };

  for (const table of tables) {
    const textColumns = table.columns.filter((c) => c.isText);
    if (textColumns.length === 0) continue;
    columnsScanned += textColumns.length;
    const select = sql`SELECT ${join(textColumns.map((c) => ident(c.name)), ', ')} FROM ${ident(table.name)}`;
    for await (const row of engine.stream(select)) {
      rowsScanned++;
      for (const column of textColumns) {
        const value = row[column.name];
        if (typeof value !== 'string' || value.length === 0) continue;
        const name = `${table.name}.${column.name}`;
        for (const kind of findingsIn(value, safe, hosts)) bump(name, kind);
      }
    }
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

function findingsIn(value: string, safeDomain: string, hosts: readonly string[]): Set<FindingKind> {
  const kinds = new Set<FindingKind>();
  for (const m of value.matchAll(EMAIL)) {
    const domain = (m[1] ?? '').toLowerCase();
    if (domain !== safeDomain && !domain.endsWith(`.${safeDomain}`)) kinds.add('email');
  }
  for (const m of value.matchAll(DIGIT_RUN)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && !digits.startsWith(TEST_PAN_PREFIX)) kinds.add('card-number');
  }
  for (const m of value.matchAll(PHONE)) {
    if (!FICTIONAL_PHONE.test(m[0])) kinds.add('phone');
  }
  const lower = value.toLowerCase();
  if (hosts.some((h) => lower.includes(h))) kinds.add('production-host');
  return kinds;
}

function unruledSensitive(tables: readonly TableInfo[], ruleSet: RuleSet): string[] {
  const ruled = new Set(ruleSet.rules.flatMap((r) => r.columns.map((c) => `${r.table}.${c.column}`)));
  return tables
    .flatMap((t) => t.columns.filter((c) => SENSITIVE_NAME.test(c.name)).map((c) => `${t.name}.${c.name}`))
    .filter((name) => !ruled.has(name))
    .sort();
}
