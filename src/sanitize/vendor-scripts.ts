import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { Fragment } from '../sql/fragment.js';
import { splitBatches, type Batch } from '../sql/go-batches.js';
import { SqliteScanError, splitSqliteStatements, type SqliteStatement } from '../sql/sqlite-statements.js';
import { SqliteEngine } from '../engine/sqlite.js';
import type { DatabaseEngine, EngineKind } from '../engine/types.js';
import { assertRunMarker } from '../run/marker.js';
import { ConfigError, ConfigErrors, SafetyError, UserError } from '../errors.js';
import { sqliteRefusals, tsqlRefusals } from './vendor-script-guard.js';
import { MAX_SCRIPT_BYTES, readInputFile } from '../config/input-file.js';

export interface VendorBatchResult {
  readonly file: string;
  /** 1-based position of the batch in its file. */
  readonly batch: number;
  readonly startLine: number;
  /** Summed over the batch's statements and its `GO n` repetitions. */
  readonly rowsAffected: number;
}

/** A SQLite statement placed in its file: `line` and `column` count from the file's start. */
interface PlacedStatement {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

interface SqliteBatch extends Batch {
  readonly statements: readonly PlacedStatement[];
}

/**
 * Runs vendor sanitization scripts in the order given, batch by batch as sqlcmd would, on the
 * run's own copy only. The scripts are the vendor's code and run as written; nothing from the
 * plan is spliced into them. Every file is read and checked first (see vendor-script-guard.ts):
 * one refused statement anywhere and nothing runs.
 */
export async function runVendorScripts(
  engine: DatabaseEngine,
  runId: string,
  files: readonly string[],
  onBatch: (result: VendorBatchResult) => void = () => {},
): Promise<VendorBatchResult[]> {
  await assertRunMarker(engine, runId, 'run vendor sanitize scripts');
  const scripts = files.map((file) => parseScript(file, engine.kind));
  throwRefusals(scripts.flatMap((s) => s.refusals));
  const results: VendorBatchResult[] = [];
  const report = (result: VendorBatchResult): void => {
    results.push(result);
    onBatch(result);
  };
  for (const script of scripts) {
    if (engine instanceof SqliteEngine) await runFileOnSqlite(engine, script.file, script.sqliteBatches, report);
    else await runFileOnServer(engine, script.file, script.batches, report);
  }
  return results;
}

/**
 * Reads and checks vendor scripts without a database: every refused statement of every file, as
 * file:line:column. Cheap enough to run before anything is created.
 */
export function guardVendorScripts(files: readonly string[], engine: EngineKind): void {
  throwRefusals(files.flatMap((file) => parseScript(file, engine).refusals));
}

/**
 * Dry-runs SQLite vendor scripts for a pre-flight check: refusals first (nothing runs if there
 * is one), then every statement in order on an empty in-memory copy of `connection`'s schema
 * (only the schema is read), which catches syntax errors and unknown tables, columns and
 * functions, with later statements seeing the tables earlier ones create. Throws ConfigErrors
 * with the first failing statement of each file.
 */
export function checkVendorScripts(connection: Database.Database, files: readonly string[]): void {
  const scripts = files.map((file) => parseScript(file, 'sqlite'));
  throwRefusals(scripts.flatMap((s) => s.refusals));
  const scratch = emptySchemaCopy(connection);
  const errors: ConfigError[] = [];
  try {
    for (const { file, sqliteBatches } of scripts) {
      const statements = sqliteBatches.flatMap((b) => b.statements);
      scratch.exec('BEGIN');
      try {
        for (const statement of statements) runStatement(scratch, statement);
        scratch.exec('COMMIT');
      } catch (error) {
        if (scratch.inTransaction) scratch.exec('ROLLBACK');
        if (!(error instanceof StatementFailure)) throw error;
        errors.push(new ConfigError(file, error.statement.line, error.statement.column, `vendor script statement fails: ${error.message}`));
      }
    }
  } finally {
    scratch.close();
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
}

interface ParsedScript {
  readonly file: string;
  readonly batches: readonly Batch[];
  /** SQLite only: each batch split into statements; empty for SQL Server. */
  readonly sqliteBatches: readonly SqliteBatch[];
  readonly refusals: readonly ConfigError[];
}

function parseScript(file: string, engine: EngineKind): ParsedScript {
  const text = readScript(file);
  const batches = splitBatches(text, file);
  if (engine === 'mssql') return { file, batches, sqliteBatches: [], refusals: tsqlRefusals(file, text.startsWith('\uFEFF') ? text.slice(1) : text) };
  const refusals: ConfigError[] = [];
  const sqliteBatches = batches.map((batch) => {
    let statements: SqliteStatement[];
    try {
      statements = splitSqliteStatements(batch.text);
    } catch (error) {
      if (!(error instanceof SqliteScanError)) throw error;
      throw new ConfigError(file, batch.startLine + error.line - 1, error.column, `${error.message}, then run again.`);
    }
    refusals.push(...sqliteRefusals(file, statements, batch.text, batch.startLine - 1));
    return { ...batch, statements: statements.map((s) => ({ text: s.text, line: batch.startLine + s.line - 1, column: s.column })) };
  });
  return { file, batches, sqliteBatches, refusals };
}

function throwRefusals(refusals: readonly ConfigError[]): void {
  if (refusals.length > 0) throw new ConfigErrors(refusals);
}

/** Batch by batch as sqlcmd sends them; a script that wants a transaction opens its own, as in SSMS. */
async function runFileOnServer(engine: DatabaseEngine, file: string, batches: readonly Batch[], report: (result: VendorBatchResult) => void): Promise<void> {
  for (const [index, batch] of batches.entries()) {
    let rowsAffected = 0;
    for (let run = 0; run < batch.repeat; run++) {
      try {
        rowsAffected += (await engine.exec(new Fragment([batch.text], []))).rowsAffected;
      } catch (error) {
        throw batchError(error, file, index + 1, batch.startLine, 'The batches before it ran and stay applied');
      }
    }
    report({ file, batch: index + 1, startLine: batch.startLine, rowsAffected });
  }
}

/**
 * The file runs in one transaction, statement by statement: it applies whole or not at all, and
 * a failure is reported at the failing statement's own line. After every statement the
 * connection must still be inside that transaction with only its own databases open; the guard
 * refuses anything that could change either, so this only catches what it missed.
 */
async function runFileOnSqlite(engine: SqliteEngine, file: string, batches: readonly SqliteBatch[], report: (result: VendorBatchResult) => void): Promise<void> {
  const connection = engine.connection;
  const totalChanges = (): number => connection.prepare('SELECT total_changes()').pluck().get() as number;
  const done = await engine.transaction(async () => {
    const ran: VendorBatchResult[] = [];
    for (const [index, batch] of batches.entries()) {
      const before = totalChanges();
      for (let run = 0; run < batch.repeat; run++) {
        for (const statement of batch.statements) {
          try {
            runStatement(connection, statement);
          } catch (error) {
            if (!(error instanceof StatementFailure)) throw error;
            throw statementError(error, file, index + 1, 'The whole file was rolled back; earlier files stay applied');
          }
          assertStillContained(connection, file, statement);
        }
      }
      ran.push({ file, batch: index + 1, startLine: batch.startLine, rowsAffected: totalChanges() - before });
    }
    return ran;
  });
  for (const result of done) report(result);
}

class StatementFailure extends Error {
  constructor(
    readonly statement: PlacedStatement,
    readonly driverError: Error,
  ) {
    super(driverError.message);
  }
}

function runStatement(connection: Database.Database, statement: PlacedStatement): void {
  try {
    const prepared = connection.prepare(statement.text);
    if (prepared.reader) prepared.all();
    else prepared.run();
  } catch (error) {
    throw new StatementFailure(statement, error instanceof Error ? error : new Error(String(error)));
  }
}

function assertStillContained(connection: Database.Database, file: string, statement: PlacedStatement): void {
  const databases = (connection.pragma('database_list') as { name: string }[]).map((d) => d.name);
  const foreign = databases.filter((name) => name !== 'main' && name !== 'temp');
  if (connection.inTransaction && foreign.length === 0) return;
  const what = connection.inTransaction ? `attached ${foreign.join(', ')}` : "ended the rehearsal's transaction";
  for (const name of foreign) connection.exec(`DETACH DATABASE "${name.replaceAll('"', '""')}"`);
  // The engine rolls back when this throws; it needs a transaction to roll back.
  if (!connection.inTransaction) connection.exec('BEGIN');
  throw new SafetyError(
    `${file}:${statement.line}:${statement.column}: this vendor script statement ${what}, which vendor scripts may not do. ` +
      'The run stops here; check the source snapshot and the script before running again.',
  );
}

/** An in-memory database with the tables, views, indexes and triggers of `connection`, and no rows. */
function emptySchemaCopy(connection: Database.Database): Database.Database {
  const objects = connection
    .prepare(
      "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " +
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid",
    )
    .all() as { name: string; sql: string }[];
  const scratch = new Database(':memory:');
  try {
    // As on the run's copy (SqliteEngine.open): empty tables must not fail foreign keys that the real rows satisfy.
    scratch.pragma('foreign_keys = OFF');
    const exists = scratch.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').pluck();
    // A virtual table makes its shadow tables itself; they are listed too and skipped here.
    for (const { name, sql } of objects) if (exists.get(name) === undefined) scratch.exec(sql);
  } catch (error) {
    scratch.close();
    throw new UserError(`Cannot check the vendor scripts: the snapshot's schema could not be copied (${(error as Error).message}).`);
  }
  return scratch;
}

/** SSMS saves scripts as UTF-16 with a byte-order mark as often as UTF-8; honour either. */
export function readScript(file: string): string {
  const bytes = readInputFile(file, 'vendor script', MAX_SCRIPT_BYTES);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

function batchError(error: unknown, file: string, batch: number, startLine: number, whatStays: string): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  // SQL Server numbers lines from the start of the batch it received
  const batchLine = (error as { lineNumber?: unknown }).lineNumber;
  const line = typeof batchLine === 'number' && batchLine > 0 ? startLine + batchLine - 1 : startLine;
  return failedAt(error, file, batch, `${line}`, whatStays);
}

function statementError(failure: StatementFailure, file: string, batch: number, whatStays: string): Error {
  return failedAt(failure.driverError, file, batch, `${failure.statement.line}:${failure.statement.column}`, whatStays);
}

function failedAt(error: Error, file: string, batch: number, position: string, whatStays: string): UserError {
  const line = position.split(':')[0];
  const failure = new UserError(
    `Vendor script ${basename(file)} failed in batch ${batch} at line ${line} (${file}:${position}): ${error.message.replace(/([^.])$/, '$1.')} ` +
      `${whatStays}; fix the script or the copy, then restore a fresh copy and run again.`,
  );
  failure.cause = error;
  return failure;
}
