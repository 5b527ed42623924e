/**
 * Splits SQLite script text into statements the way SQLite's own parser would see them, so a
 * vendor script can be checked statement by statement and each statement run (and blamed) at its
 * own line. Keywords inside strings, quoted identifiers and comments are never mistaken for code,
 * and a CREATE TRIGGER body (`BEGIN ...; ...; END`) stays one statement.
 */

export type SqliteTokenKind = 'word' | 'quoted-identifier' | 'string' | 'number' | 'parameter' | 'punctuation';

export interface SqliteToken {
  readonly kind: SqliteTokenKind;
  /** The token as written (quotes included). */
  readonly text: string;
  /** Offset of the first character in the scanned text. */
  readonly start: number;
  readonly end: number;
}

export interface SqliteStatement {
  /** From the first token to its `;` (when there is one), as written. */
  readonly text: string;
  readonly tokens: readonly SqliteToken[];
  /** 1-based line and column of the first token in the scanned text. */
  readonly line: number;
  readonly column: number;
}

/** Unterminated string or quoted identifier: SQLite would reject the script, so it is not split. */
export class SqliteScanError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SqliteScanError';
  }
}

const QUOTE_CLOSER: Readonly<Record<string, string>> = { "'": "'", '"': '"', '`': '`', '[': ']' };
const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const NUMBER = /0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function tokenizeSqlite(text: string): SqliteToken[] {
  const tokens: SqliteToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    // Only what SQLite itself skips: any other space character is part of an identifier to it.
    if (c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r') {
      i++;
    } else if (c === '-' && next === '-') {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline + 1;
    } else if (c === '/' && next === '*') {
      // SQLite block comments do not nest, and one left open runs to the end of the text.
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (c in QUOTE_CLOSER) {
      const end = quotedEnd(text, i, QUOTE_CLOSER[c] as string);
      tokens.push({ kind: c === "'" ? 'string' : 'quoted-identifier', text: text.slice(i, end), start: i, end });
      i = end;
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < text.length && WORD_PART.test(text[end] as string)) end++;
      // X'..' is one blob literal; treating X as a word before a string would read the same.
      tokens.push({ kind: 'word', text: text.slice(i, end), start: i, end });
      i = end;
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      NUMBER.lastIndex = i;
      const end = i + (NUMBER.exec(text)?.[0].length ?? 1);
      tokens.push({ kind: 'number', text: text.slice(i, end), start: i, end });
      i = end;
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      let end = i + 1;
      while (end < text.length && WORD_PART.test(text[end] as string)) end++;
      tokens.push({ kind: 'parameter', text: text.slice(i, end), start: i, end });
      i = end;
    } else {
      tokens.push({ kind: 'punctuation', text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** A quoted region closes at its closer; the closer doubled is an escaped one (not for [..]). */
function quotedEnd(text: string, open: number, closer: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === closer) {
      if (closer !== ']' && text[i + 1] === closer) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  const { line, column } = positionAt(text, open);
  const what = text[open] === "'" ? 'a string' : 'a quoted identifier';
  throw new SqliteScanError(`the script ends inside ${what} that starts here; close it (a quote inside is written twice)`, line, column);
}

export function splitSqliteStatements(text: string): SqliteStatement[] {
  const tokens = tokenizeSqlite(text);
  const statements: SqliteStatement[] = [];
  let current: SqliteToken[] = [];
  const finish = (terminator?: SqliteToken): void => {
    const first = current[0];
    const last = terminator ?? current[current.length - 1];
    if (first !== undefined && last !== undefined) {
      statements.push({ text: text.slice(first.start, last.end), tokens: current, ...positionAt(text, first.start) });
    }
    current = [];
  };
  let trigger: { body: boolean; caseDepth: number } | undefined;
  for (const token of tokens) {
    if (token.kind === 'punctuation' && token.text === ';' && trigger?.body !== true) {
      finish(token);
      trigger = undefined;
      continue;
    }
    current.push(token);
    if (trigger === undefined && current.length <= 3 && isCreateTrigger(current)) trigger = { body: false, caseDepth: 0 };
    if (trigger === undefined || token.kind !== 'word') continue;
    const word = token.text.toUpperCase();
    if (!trigger.body) {
      if (word === 'BEGIN') trigger.body = true;
    } else if (word === 'CASE') {
      trigger.caseDepth++;
    } else if (word === 'END') {
      if (trigger.caseDepth > 0) trigger.caseDepth--;
      else trigger.body = false;
    }
  }
  finish();
  return statements;
}

/** CREATE [TEMP|TEMPORARY] TRIGGER */
function isCreateTrigger(tokens: readonly SqliteToken[]): boolean {
  const words = tokens.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : ''));
  if (words[0] !== 'CREATE') return false;
  return words[1] === 'TRIGGER' || ((words[1] === 'TEMP' || words[1] === 'TEMPORARY') && words[2] === 'TRIGGER');
}

/** The bare name a word or quoted identifier stands for, for comparing with keywords and function names. */
export function identifierName(token: SqliteToken): string | undefined {
  if (token.kind === 'word') return token.text.toLowerCase();
  if (token.kind !== 'quoted-identifier') return undefined;
  const open = token.text[0] as string;
  const closer = QUOTE_CLOSER[open] as string;
  const inner = token.text.slice(1, -1);
  return (closer === ']' ? inner : inner.replaceAll(closer + closer, closer)).toLowerCase();
}

/** 1-based line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
