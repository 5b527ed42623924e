import { scanTsql } from '../sql/tsql-lexer.js';

/**
 * Refuses any `sql` probe that is not one SELECT, before the plan runs, on both engines. The
 * T-SQL lexer separates code from strings, quoted names and comments, so a keyword inside a
 * string is not mistaken for one and a statement hidden after `;` or a comment is still seen.
 * SQLite runs the query on a read-only connection as well (sql-probe.ts); this check is what
 * SQL Server relies on, together with a transaction that is always rolled back.
 */
const WRITES = /\b(INSERT|UPDATE|DELETE|MERGE|INTO|EXEC|EXECUTE|CREATE|ALTER|DROP|TRUNCATE|GRANT|REVOKE|DENY|BACKUP|RESTORE|ATTACH|DETACH|PRAGMA|VACUUM|REINDEX|REPLACE\s+INTO|SET|DECLARE|BEGIN|COMMIT|ROLLBACK|SAVE|USE|OPENROWSET|OPENQUERY|OPENDATASOURCE|WAITFOR|SHUTDOWN|KILL|DBCC|BULK|LOAD_EXTENSION|XP_\w+|SP_\w+)\b/i;

export interface SelectProblem {
  /** Offset in the query text. */
  readonly offset: number;
  readonly detail: string;
}

/** `what` names the query in the details: a `sql` probe's, or a job probe's `accounts` query. */
export function selectOnlyProblem(query: string, what = 'a `sql` probe'): SelectProblem | undefined {
  const code = scanTsql(query).filter((s) => s.kind === 'code' || s.unterminated);
  const unterminated = code.find((s) => s.unterminated);
  if (unterminated !== undefined) return { offset: unterminated.start, detail: 'a string, quoted name or comment is never closed' };
  const first = code.map((s) => ({ s, m: /\S/.exec(query.slice(s.start, s.end)) })).find((x) => x.m !== null);
  if (first?.m == null) return { offset: 0, detail: 'the query is empty' };
  const start = first.s.start + first.m.index;
  if (!/^SELECT\b/i.test(query.slice(start))) return { offset: start, detail: `${what} may only be one SELECT (it reads the copy and changes nothing); a WITH, a batch or any other statement is refused` };
  for (const segment of code) {
    const piece = query.slice(segment.start, segment.end);
    const semicolon = piece.indexOf(';');
    if (semicolon >= 0 && /\S/.test(query.slice(segment.start + semicolon + 1).replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ''))) {
      return { offset: segment.start + semicolon, detail: `${what} is one statement: nothing may follow \`;\`` };
    }
    const write = WRITES.exec(piece);
    if (write !== null) return { offset: segment.start + write.index, detail: `\`${write[0]}\` is not allowed in ${what}: it may only read (one SELECT, no INTO, no procedure calls)` };
  }
  return undefined;
}
