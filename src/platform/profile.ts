import { sql, join, ident, type Fragment } from '../sql/fragment.js';
import type { Dialect } from '../sql/dialect.js';
import type { DatabaseEngine, Row } from '../engine/types.js';
import { columnSpec, conceptDefinition, type ColumnType, type ConceptName, type Parameters } from './concepts.js';
import type { ConceptRows } from './rows.js';
import type { LocatedQuery, PlatformAdapter } from './types.js';
import { ConfigError } from '../errors.js';
import escapeStringRegexp from 'escape-string-regexp';

/** A concept the adapter does not define: its check says "not configured for this platform". */
export class ConceptNotConfigured extends Error {
  constructor(readonly concept: ConceptName) {
    super(`the platform adapter defines no \`${concept}\` query`);
    this.name = 'ConceptNotConfigured';
  }
}

export interface ReadOptions {
  /** Only these accounts (concepts ordered by account number). */
  readonly accounts?: readonly string[];
  /** Only the first n rows in the concept's order. */
  readonly first?: number;
}

/**
 * Asks the platform's questions through its adapter: each concept's query for the engine's
 * dialect, with the product's parameters bound, ordered and narrowed by the product, and every
 * row normalized to the concept's column contract (money as integer cents, dates as text).
 */
export class Profile {
  constructor(readonly adapter: Pick<PlatformAdapter, 'queries' | 'file' | 'name' | 'outbound'>) {}

  /** How the platform's messages name an account or invoice. */
  get outbound(): PlatformAdapter['outbound'] {
    return this.adapter.outbound;
  }

  has(concept: ConceptName): boolean {
    return this.adapter.queries.some((q) => q.concept === concept);
  }

  /** The query written for `dialect`, or the one written for both. */
  queryFor(concept: ConceptName, dialect: Dialect): LocatedQuery | undefined {
    return this.adapter.queries.find((q) => q.concept === concept && q.dialect === dialect.name) ?? this.adapter.queries.find((q) => q.concept === concept && q.dialect === 'any');
  }

  /** The adapter's query with the parameters bound, neither ordered nor narrowed: for work the engine does itself. */
  body(concept: ConceptName, dialect: Dialect, parameters: Parameters): Fragment {
    const query = this.queryFor(concept, dialect);
    if (query === undefined) throw new ConceptNotConfigured(concept);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(parameters)) if (v !== undefined) values[k] = v;
    return query.template.bind(values);
  }

  fragment(concept: ConceptName, dialect: Dialect, parameters: Parameters, options: ReadOptions = {}): Fragment {
    const body = this.body(concept, dialect, parameters);
    const definition = conceptDefinition(concept);
    const orderBy = definition.orderBy;
    if (orderBy === undefined) return body;
    const where = options.accounts === undefined ? sql`` : sql` WHERE q.account_number IN (${join([...options.accounts], ', ')})`;
    const direction = definition.descending === true ? sql` DESC` : sql``;
    const order = join(
      orderBy.map((column, i) => {
        const expression = sql`q.${ident(column)}`;
        return i === 0 && definition.codePoint === true ? sql`${dialect.codePointOrder(expression)}${direction}` : sql`${expression}${direction}`;
      }),
      ', ',
    );
    const rest = sql`FROM (${body}) q${where} ORDER BY ${order}`;
    return options.first === undefined ? sql`SELECT * ${rest}` : dialect.selectFirst(options.first, sql`*`, rest);
  }

  async query<C extends ConceptName>(engine: DatabaseEngine, concept: C, parameters: Parameters, options: ReadOptions = {}): Promise<ConceptRows[C][]> {
    const rows = await engine.query(this.fragment(concept, engine.dialect, parameters, options));
    const normalize = normalizer(concept);
    try {
      return rows.map((row) => normalize(row) as ConceptRows[C]);
    } catch (error) {
      throw this.located(error, concept, engine.dialect);
    }
  }

  async *stream<C extends ConceptName>(engine: DatabaseEngine, concept: C, parameters: Parameters, options: ReadOptions = {}): AsyncIterable<ConceptRows[C]> {
    const normalize = normalizer(concept);
    for await (const row of engine.stream(this.fragment(concept, engine.dialect, parameters, options))) {
      let normalized: Row;
      try {
        normalized = normalize(row);
      } catch (error) {
        throw this.located(error, concept, engine.dialect);
      }
      yield normalized as ConceptRows[C];
    }
  }

  /**
   * The first `rows` rows of the adapter's query as the engine returns them (no order), checked
   * against the concept's contract. For a database not sanitized yet: a value that breaks the
   * contract is not quoted in the error, since it may be personal data.
   */
  async checkSample(engine: DatabaseEngine, concept: ConceptName, parameters: Parameters, rows: number): Promise<void> {
    const sample = await engine.query(engine.dialect.selectFirst(rows, sql`*`, sql`FROM (${this.body(concept, engine.dialect, parameters)}) q`));
    const normalize = normalizer(concept);
    try {
      for (const row of sample) normalize(row);
    } catch (error) {
      throw this.located(error, concept, engine.dialect, 'withheld');
    }
  }

  /** A value against the concept's contract, pointed at the column in the adapter's query. */
  private located(error: unknown, concept: ConceptName, dialect: Dialect, value: 'shown' | 'withheld' = 'shown'): unknown {
    const query = this.queryFor(concept, dialect);
    if (!(error instanceof ContractBroken) || query === undefined) return error;
    const at = query.locate(offsetOf(query, error.column));
    const advice = error.column.endsWith('_id')
      ? 'Return a number there: where the platform keys that row by text or a GUID, number the rows in the query, e.g. `ROW_NUMBER() OVER (ORDER BY <key>)`, ordered by a column masking does not change, so production and the copy number each row alike.'
      : 'Convert it in the query (e.g. `CAST(<expression> AS DECIMAL(19,4))`), or return NULL where the platform has no value.';
    const kind = error.type === 'integer' ? 'an integer' : `a number (${error.type})`;
    const returned = value === 'shown' ? error.shown : `${error.shownKind} (the value is not shown: the snapshot is not sanitized yet)`;
    return new ConfigError(query.file, at.line, at.column, `concept \`${concept}\` returned ${returned} in column \`${error.column}\`, which the concept's contract says is ${kind}. ${advice}`);
  }
}

/** Where `name` first appears in the query, to point an error at it; else the query's start. */
export function offsetOf(query: LocatedQuery, name: string | undefined): number {
  if (name === undefined) return 0;
  const at = query.template.text.search(new RegExp(`\\b${escapeStringRegexp(name)}\\b`));
  return Math.max(0, at);
}

/** A value the engine returned that the concept's column type cannot hold. */
class ContractBroken extends Error {
  constructor(
    readonly column: string,
    readonly type: ColumnType,
    readonly shown: string,
    /** What the value is, without the value: for data that may be personal. */
    readonly shownKind: string,
  ) {
    super(`column ${column} returned ${shown}, not ${type}`);
  }
}

type Normalize = (row: Row) => Row;

/** A row of `concept` as the engine gave it, normalized in place to the concept's column contract. */
export function normalizeRow<C extends ConceptName>(concept: C, row: Row): ConceptRows[C] {
  return normalizer(concept)(row) as ConceptRows[C];
}

/** One function per concept, so streaming a million rows does not parse column specs per row. */
const normalizers = new Map<ConceptName, Normalize>();

function normalizer(concept: ConceptName): Normalize {
  let normalize = normalizers.get(concept);
  if (normalize === undefined) {
    const columns = Object.entries(conceptDefinition(concept).columns).map(([name, spec]) => ({ name, type: columnSpec(spec).type, convert: CONVERT[columnSpec(spec).type] }));
    normalize = (row) => {
      for (const { name, type, convert } of columns) {
        const value = row[name];
        if (value === null || value === undefined) continue;
        const converted = convert(value);
        // NaN would compare unequal to everything, silently: a text or GUID key must stop the run instead.
        if (typeof converted === 'number' && (Number.isNaN(converted) || (typeof value === 'string' && value.trim() === ''))) throw new ContractBroken(name, type, shown(value), kindOf(value));
        row[name] = converted;
      }
      return row;
    };
    normalizers.set(concept, normalize);
  }
  return normalize;
}

/** What kind of value it is, with nothing of the value itself but its length. */
function kindOf(value: NonNullable<Row[string]> | Date): string {
  if (Buffer.isBuffer(value)) return `${value.length} bytes of binary`;
  const text = String(value);
  return text.trim() === '' ? 'an empty or blank text' : `a text of ${text.length} characters that is not a number`;
}

/** A value as an error message quotes it: JSON, at most 60 characters. */
function shown(value: NonNullable<Row[string]> | Date): string {
  const text = Buffer.isBuffer(value) ? `${value.length} bytes of binary` : JSON.stringify(String(value));
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const CONVERT: Record<ColumnType, (value: NonNullable<Row[string]> | Date) => string | number> = {
  text: (v) => String(v),
  integer: (v) => Number(v),
  months: (v) => Number(v),
  decimal: (v) => Number(v),
  money: (v) => Math.round(Number(v) * 100),
  date: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10)),
  timestamp: (v) => (v instanceof Date ? v.toISOString() : String(v)),
};
