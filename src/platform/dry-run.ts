import type { DatabaseEngine } from '../engine/types.js';
import { sql } from '../sql/fragment.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { ConfigError, ConfigErrors } from '../errors.js';
import { columnSpec, conceptDefinition, type ConceptName, type Parameters } from './concepts.js';
import { offsetOf, type Profile } from './profile.js';
import type { LocatedQuery } from './types.js';

/** Parameter values of the right shape: a dry run only compiles, so no row has to match them. */
export const SAMPLE_PARAMETERS = { billDate: '2000-01-01', billMonth: '2000-01', since: '2000-01-01T00:00:00.000Z' };

/**
 * Compiles every profile query against a database (the snapshot before anything is created, the
 * restored copy again before the bill run) without reading a row, and checks it returns the
 * concept's columns: a missing table or column stops the run, naming the concept, the adapter's
 * file:line:column and the name the database lacks. SQLite compiles
 * the statement (nothing runs); SQL Server runs it as `TOP (0)` (a query starting with WITH is not
 * wrapped there, and only verified by the golden T-SQL).
 */
export async function dryRunProfile(engine: DatabaseEngine, profile: Profile, against = 'the restored copy'): Promise<number> {
  const errors: ConfigError[] = [];
  let checked = 0;
  for (const query of profile.adapter.queries) {
    if (query.dialect !== 'any' && query.dialect !== engine.dialect.name) continue;
    checked++;
    const problem = await describeProblem(engine, profile, query);
    if (problem === undefined) continue;
    const p = query.locate(offsetOf(query, problem.name));
    errors.push(new ConfigError(query.file, p.line, p.column, `concept \`${query.concept}\` does not run on ${against} (${engine.description}): ${problem.message}. Correct the query in the adapter, or remove it (its checks then say "not configured").`));
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return checked;
}

/** Rows read per concept by `checkProfileSample`: enough for a key or amount that is never a number, cheap on any size. */
export const SAMPLE_ROWS = 100;

const NUMERIC_TYPES: ReadonlySet<string> = new Set(['integer', 'money', 'decimal', 'months']);

/** The parameters a sample read binds: the plan's bill date, its month, and midnight of it. */
export function billDateParameters(billDate: string): Parameters {
  return { billDate, billMonth: billDate.slice(0, 7), since: `${billDate}T00:00:00.000Z` };
}

/**
 * Reads the first rows of every query with a numeric column (no order, so the engine may stop
 * early) and checks each value is a number: a text or GUID key stops the run here, before
 * anything is restored, instead of at the bill run. Run on a database not sanitized yet, so an
 * error says what kind of value it found and never the value. Queries that read what the bill run
 * writes find no rows yet and pass; the bill run's reads check every row again.
 */
export async function checkProfileSample(engine: DatabaseEngine, profile: Profile, parameters: Parameters, rows = SAMPLE_ROWS): Promise<number> {
  const errors: ConfigError[] = [];
  let checked = 0;
  for (const concept of new Set(profile.adapter.queries.map((q) => q.concept))) {
    const numeric = Object.values(conceptDefinition(concept).columns).some((spec) => NUMERIC_TYPES.has(columnSpec(spec).type));
    if (!numeric || profile.queryFor(concept, engine.dialect) === undefined) continue;
    checked++;
    try {
      await profile.checkSample(engine, concept, parameters, rows);
    } catch (error) {
      if (error instanceof ConfigError) errors.push(error);
      else if (refusedByEngine(error)) errors.push(sampleRefused(profile, engine, concept, error));
      else throw error;
    }
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return checked;
}

async function describeProblem(engine: DatabaseEngine, profile: Profile, query: LocatedQuery): Promise<{ message: string; name?: string } | undefined> {
  const expected = Object.keys(conceptDefinition(query.concept).columns);
  let columns: string[];
  try {
    columns = await columnsOf(engine, profile, query);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    const name = /no such (?:column|table): (?:\w+\.)?([\w]+)/i.exec(message)?.[1] ?? /Invalid (?:column|object) name '(?:\w+\.)?([^']+)'/i.exec(message)?.[1];
    return { message, ...(name !== undefined ? { name } : {}) };
  }
  const missing = expected.filter((c) => !columns.includes(c));
  if (missing.length > 0) return { message: `it returns no column ${missing.map((c) => `\`${c}\``).join(', ')} (the concept's columns: ${expected.join(', ')})` };
  return undefined;
}

async function columnsOf(engine: DatabaseEngine, profile: Profile, query: LocatedQuery): Promise<string[]> {
  const fragment = profile.fragment(query.concept, engine.dialect, SAMPLE_PARAMETERS);
  if (engine instanceof SqliteEngine) {
    // The adapter's own query first, so an error names its tables and columns, not the product's wrapper.
    const own = engine.connection.prepare(engine.dialect.render(query.template.bind(SAMPLE_PARAMETERS)).text).columns().map((c) => c.name);
    if (Object.keys(conceptDefinition(query.concept).columns).every((c) => own.includes(c))) engine.connection.prepare(engine.dialect.render(fragment).text);
    return own;
  }
  // SQL Server: a query that names a missing table or column fails to compile even for no rows; the
  // engine returns no column names for an empty result, so only names are checked there.
  if (!query.template.text.trimStart().toUpperCase().startsWith('WITH')) await engine.query(sql`SELECT TOP (0) * FROM (${fragment}) q`);
  return Object.keys(conceptDefinition(query.concept).columns);
}

/** The engine refused the statement itself (SQLite's or SQL Server's own error), as opposed to a lost connection. */
function refusedByEngine(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'SqliteError' || error.name === 'RequestError');
}

/**
 * A query that compiles but fails on the snapshot's rows, e.g. SQL Server's "Conversion failed
 * when converting the nvarchar value '…' to data type int": an adapter mistake, at the query's
 * line. The engine quotes the value it choked on, and the snapshot is not sanitized yet, so every
 * quoted literal in its message is withheld.
 */
function sampleRefused(profile: Profile, engine: DatabaseEngine, concept: ConceptName, error: Error): ConfigError {
  const query = profile.queryFor(concept, engine.dialect);
  const at = query === undefined ? { line: 1, column: 1 } : query.locate(0);
  const message = (error.message.split('\n')[0] ?? '').replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "'…'");
  return new ConfigError(query?.file ?? profile.adapter.file, at.line, at.column, `concept \`${concept}\` fails when its first rows are read from the snapshot (${engine.description}): ${message}. Correct the query in the adapter (the quoted values are withheld: the snapshot is not sanitized yet).`);
}
