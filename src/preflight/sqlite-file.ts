import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SqliteEngine } from '../engine/sqlite.js';
import { sql } from '../sql/fragment.js';
import type { TableInfo } from '../engine/types.js';

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;
/** Header bytes 18 and 19: the file format's write and read versions; 2 means WAL mode. */
const WAL_FORMAT = 2;

/** What a read-only look at a SQLite file found: its tables, or why it cannot be used. */
export type SqliteFileInspection =
  /** Open read-only; the caller closes it. */
  | { readonly kind: 'database'; readonly engine: SqliteEngine; readonly tables: readonly TableInfo[] }
  /** A sound header in WAL mode: opening it, even read-only, would create -wal and -shm files beside it. */
  | { readonly kind: 'wal-mode' }
  | { readonly kind: 'problem'; readonly reason: string };

function readHeader(path: string): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'this user may not read it' : (error as Error).message;
  }
  try {
    // The type is checked on the open descriptor, so a FIFO or device is never read from.
    const stat = fstatSync(fd);
    if (!stat.isFile()) return 'it is not a regular file';
    const header = Buffer.alloc(HEADER_BYTES);
    const read = readSync(fd, header, 0, HEADER_BYTES, 0);
    return read === HEADER_BYTES ? header : `it is ${stat.size} bytes long, shorter than a SQLite header`;
  } finally {
    closeSync(fd);
  }
}

/** Reads a SQLite file's 100-byte header (a byte read, nothing opened as a database): whether it is one, and whether it is in WAL mode. */
export function sqliteHeader(path: string): { readonly kind: 'header'; readonly walMode: boolean } | { readonly kind: 'problem'; readonly reason: string } {
  const header = readHeader(path);
  if (typeof header === 'string') return { kind: 'problem', reason: header };
  if (header.toString('latin1', 0, 16) !== SQLITE_MAGIC) return { kind: 'problem', reason: 'it is not a SQLite database (no SQLite header)' };
  const pageSize = header.readUInt16BE(16);
  const validPageSize = pageSize === 1 || (pageSize >= 512 && (pageSize & (pageSize - 1)) === 0);
  const write = header.readUInt8(18);
  const read = header.readUInt8(19);
  if (!validPageSize || ![1, 2].includes(write) || ![1, 2].includes(read)) {
    return { kind: 'problem', reason: 'its SQLite header is damaged (page size or file format version out of range)' };
  }
  return { kind: 'header', walMode: write === WAL_FORMAT || read === WAL_FORMAT };
}

/**
 * Checks that a file is a SQLite database without writing anything: the header first (a byte
 * read), then, for a rollback-journal database, a read-only connection that lists the tables.
 * A WAL-mode file is left unopened; its header is all that can be checked without files appearing
 * beside it, and the restore copies it byte for byte anyway.
 */
export async function inspectSqliteFile(path: string): Promise<SqliteFileInspection> {
  const header = sqliteHeader(path);
  if (header.kind === 'problem') return header;
  if (header.walMode) return { kind: 'wal-mode' };
  let engine: SqliteEngine | undefined;
  try {
    engine = SqliteEngine.open(path, { readonly: true });
    // Reads the schema pages: a file with a valid header but garbage after it fails here.
    await engine.query(sql`SELECT count(*) AS n FROM sqlite_schema`);
    return { kind: 'database', engine, tables: await engine.tables() };
  } catch (error) {
    await engine?.close();
    const message = (error as Error).message.replace(/^Cannot open SQLite database [^:]*: /, '').replace(/\. Check that the file exists.*$/, '');
    return { kind: 'problem', reason: `it is not a readable SQLite database (${message})` };
  }
}
