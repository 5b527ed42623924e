import { ConfigError } from '../errors.js';
import { identifierName, type SqliteStatement } from '../sql/sqlite-statements.js';
import { lineAt, scanTsql } from '../sql/tsql-lexer.js';

/**
 * What a vendor sanitize script may not do: leave the rehearsal's transaction, or reach any
 * database or file other than the run's own copy (the source snapshot above all). The scripts are
 * the vendor's code and run as written, so they are read before any statement runs and refused
 * whole when one statement could do either.
 */

const AFTER_REFUSAL = 'Remove it from the script: vendor scripts run on the rehearsal\'s own copy only, and on SQLite inside the rehearsal\'s own transaction.';

const SQLITE_REFUSED: Readonly<Record<string, string>> = {
  begin: 'BEGIN would start a transaction of its own inside the rehearsal\'s',
  commit: 'COMMIT would end the rehearsal\'s transaction',
  end: 'END would end (commit) the rehearsal\'s transaction',
  rollback: 'ROLLBACK would end the rehearsal\'s transaction',
  savepoint: 'SAVEPOINT manages transactions, which the rehearsal does for the whole file',
  release: 'RELEASE manages transactions, which the rehearsal does for the whole file',
  attach: 'ATTACH opens another database file, which could be the source snapshot',
  detach: 'DETACH belongs with ATTACH, which is refused',
  vacuum: 'VACUUM rewrites the database file (VACUUM INTO writes another file)',
  pragma: 'PRAGMA can change the journal, the file or how later statements and the proof read the data',
};

/** Refusals in one SQLite script, each at the offending token; `lineOffset` maps batch lines to file lines. */
export function sqliteRefusals(file: string, statements: readonly SqliteStatement[], text: string, lineOffset: number): ConfigError[] {
  const errors: ConfigError[] = [];
  const at = (offset: number, detail: string): ConfigError => {
    const { line, column } = positionIn(text, offset);
    return new ConfigError(file, line + lineOffset, column, `${detail}. ${AFTER_REFUSAL}`);
  };
  for (const statement of statements) {
    const verb = statementVerb(statement);
    if (verb !== undefined) {
      const reason = SQLITE_REFUSED[verb.name];
      if (reason !== undefined) errors.push(at(verb.start, `vendor scripts may not use ${verb.name.toUpperCase()}: ${reason}`));
    }
    for (const token of statement.tokens) {
      if (identifierName(token) === 'load_extension') {
        errors.push(at(token.start, 'vendor scripts may not call load_extension: a loaded library could do anything, including write the source'));
      }
    }
  }
  return errors;
}

/** The statement's own keyword, past EXPLAIN [QUERY PLAN] (which SQLite would still parse as the statement). */
function statementVerb(statement: SqliteStatement): { name: string; start: number } | undefined {
  const words = statement.tokens;
  let i = 0;
  if (words[i]?.kind === 'word' && words[i]?.text.toLowerCase() === 'explain') {
    i++;
    if (words[i]?.text.toLowerCase() === 'query' && words[i + 1]?.text.toLowerCase() === 'plan') i += 2;
  }
  const token = words[i];
  return token?.kind === 'word' ? { name: token.text.toLowerCase(), start: token.start } : undefined;
}

interface TsqlToken {
  readonly kind: 'word' | 'identifier' | 'variable' | 'punctuation' | 'other';
  /** Lower-case name for words and identifiers (brackets and quotes removed). */
  readonly name: string;
  readonly start: number;
}

const TSQL_WORD = /[A-Za-z_#][A-Za-z0-9_@#$]*/y;
const TSQL_VARIABLE = /@@?[A-Za-z0-9_@#$]*/y;
const TSQL_NUMBER = /(?:0x[0-9A-Fa-f]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y;

function tsqlTokens(text: string): TsqlToken[] {
  const tokens: TsqlToken[] = [];
  for (const segment of scanTsql(text)) {
    if (segment.kind === 'bracketed' || segment.kind === 'double-quoted') {
      const closer = segment.kind === 'bracketed' ? ']' : '"';
      const inner = text.slice(segment.start + 1, segment.unterminated ? segment.end : segment.end - 1);
      tokens.push({ kind: 'identifier', name: inner.replaceAll(closer + closer, closer).toLowerCase(), start: segment.start });
      continue;
    }
    if (segment.kind === 'string') {
      tokens.push({ kind: 'other', name: '', start: segment.start });
      continue;
    }
    if (segment.kind !== 'code') continue;
    let i = segment.start;
    while (i < segment.end) {
      const c = text[i] as string;
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      // N'..' is a Unicode string: the N is its prefix, not a word.
      if ((c === 'N' || c === 'n') && i + 1 === segment.end && text[i + 1] === "'") {
        i++;
        continue;
      }
      const match = [TSQL_WORD, TSQL_VARIABLE, TSQL_NUMBER].map((re) => {
        re.lastIndex = i;
        return re.exec(text)?.[0];
      });
      const [word, variable, number] = match;
      if (word !== undefined) tokens.push({ kind: 'word', name: word.toLowerCase(), start: i });
      else if (variable !== undefined) tokens.push({ kind: 'variable', name: variable.toLowerCase(), start: i });
      else if (number !== undefined && number.length > 0) tokens.push({ kind: 'other', name: '', start: i });
      else tokens.push({ kind: 'punctuation', name: c, start: i });
      i += word?.length ?? variable?.length ?? (number !== undefined && number.length > 0 ? number.length : 1);
    }
  }
  return tokens;
}

const TSQL_REFUSED_WORDS: Readonly<Record<string, string>> = {
  restore: 'RESTORE writes a database from a backup, possibly over another one',
  backup: 'BACKUP writes a file on the server',
  openrowset: 'OPENROWSET reads another server or a file',
  opendatasource: 'OPENDATASOURCE reaches another server',
  openquery: 'OPENQUERY runs a query on a linked server',
  shutdown: 'SHUTDOWN stops the server',
  reconfigure: 'RECONFIGURE changes the server\'s configuration',
};

/** What CREATE, ALTER or DROP may not name: objects of the server, or loaded from its files. */
const SERVER_LEVEL_OBJECTS = new Set(['database', 'assembly', 'login', 'credential', 'endpoint', 'server']);

/** System procedures that reach the server, other databases, files or dynamic SQL the guard cannot read. */
const TSQL_REFUSED_PROCEDURES = new Set([
  'sp_configure', 'sp_executesql', 'sp_addlinkedserver', 'sp_addlinkedsrvlogin', 'sp_serveroption', 'sp_dropserver',
  'sp_addextendedproc', 'sp_attach_db', 'sp_attach_single_file_db', 'sp_detach_db', 'sp_addumpdevice', 'sp_addsrvrolemember',
]);

/** Refusals in one T-SQL script (the whole file, GO lines included), each at the offending token. */
export function tsqlRefusals(file: string, text: string): ConfigError[] {
  const tokens = tsqlTokens(text);
  const errors: ConfigError[] = [];
  const refuse = (token: TsqlToken, detail: string): void => {
    const { line, column } = positionIn(text, token.start);
    errors.push(new ConfigError(file, line, column, `${detail}. Remove it from the script: vendor scripts run on the rehearsal's own copy only.`));
  };
  for (const [index, token] of tokens.entries()) {
    const next = tokens[index + 1];
    const name = token.kind === 'word' || token.kind === 'identifier' ? token.name : '';
    if (token.kind === 'word') {
      const reason = TSQL_REFUSED_WORDS[name];
      if (reason !== undefined) refuse(token, `vendor scripts may not use ${name.toUpperCase()}: ${reason}`);
      if (name === 'use' && !(next?.kind === 'word' && (next.name === 'plan' || next.name === 'hint'))) {
        refuse(token, 'vendor scripts may not use USE: it switches the connection to another database');
      }
      if ((name === 'exec' || name === 'execute') && (next?.name === '(' || (next?.kind === 'variable' && tokens[index + 2]?.name !== '='))) {
        refuse(token, `vendor scripts may not use ${name.toUpperCase()} with a string or a variable: dynamic SQL cannot be checked before it runs`);
      }
      if ((name === 'exec' || name === 'execute') && next?.kind === 'word' && next.name === 'as') {
        refuse(token, `vendor scripts may not use ${name.toUpperCase()} AS: it changes whose permissions the script runs with`);
      }
      if (name === 'bulk' && next?.kind === 'word' && next.name === 'insert') refuse(token, 'vendor scripts may not use BULK INSERT: it reads a file on the server');
      if ((name === 'create' || name === 'alter' || name === 'drop') && next?.kind === 'word' && SERVER_LEVEL_OBJECTS.has(next.name)) {
        refuse(token, `vendor scripts may not ${name.toUpperCase()} ${next.name.toUpperCase()}: it changes the server or reaches its files, and only the run's own copy may change`);
      }
    }
    if (name.startsWith('xp_') || name.startsWith('sp_oa') || TSQL_REFUSED_PROCEDURES.has(name)) {
      refuse(token, `vendor scripts may not call ${name}: it reaches the server, its files or SQL the guard cannot read`);
    }
    if ((token.kind === 'word' || token.kind === 'identifier') && tokens[index - 1]?.name !== '.' && dotsInName(tokens, index) >= 2) {
      refuse(token, 'vendor scripts may not use three- or four-part names (database.schema.object): they can reach another database or server; use a two-part name such as dbo.Contact, or an alias for columns');
    }
  }
  return errors;
}

/** How many dots the multi-part name starting at `index` has (`db..t` has two). */
function dotsInName(tokens: readonly TsqlToken[], index: number): number {
  let dots = 0;
  let i = index + 1;
  while (tokens[i]?.name === '.') {
    dots++;
    i++;
    const part = tokens[i];
    if (part !== undefined && (part.kind === 'word' || part.kind === 'identifier')) i++;
  }
  return dots;
}

function positionIn(text: string, offset: number): { line: number; column: number } {
  const line = lineAt(text, offset);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return { line, column: offset - lineStart + 1 };
}
