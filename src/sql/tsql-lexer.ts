/**
 * Splits T-SQL text into code and the regions where SQL keywords mean nothing: strings,
 * bracketed and double-quoted identifiers, and comments. The GO splitter and the T-SQL lint both
 * need exactly this, so neither mistakes `GO` or `LIMIT` inside a string for the real thing.
 */

export type SegmentKind = 'code' | 'string' | 'bracketed' | 'double-quoted' | 'line-comment' | 'block-comment';

export interface Segment {
  readonly kind: SegmentKind;
  /** Offset of the first character, inclusive. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** True when the text ended before the string, identifier or comment was closed. */
  readonly unterminated: boolean;
}

const CLOSER: Record<'string' | 'bracketed' | 'double-quoted', string> = { string: "'", bracketed: ']', 'double-quoted': '"' };

export function scanTsql(text: string): Segment[] {
  const segments: Segment[] = [];
  let codeStart = 0;
  let i = 0;
  const pushCode = (end: number): void => {
    if (end > codeStart) segments.push({ kind: 'code', start: codeStart, end, unterminated: false });
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    let kind: Exclude<SegmentKind, 'code'> | undefined;
    if (c === "'") kind = 'string';
    else if (c === '[') kind = 'bracketed';
    else if (c === '"') kind = 'double-quoted';
    else if (c === '-' && next === '-') kind = 'line-comment';
    else if (c === '/' && next === '*') kind = 'block-comment';
    if (kind === undefined) {
      i++;
      continue;
    }
    pushCode(i);
    const start = i;
    let end: number;
    let unterminated = false;
    if (kind === 'line-comment') {
      const newline = text.indexOf('\n', i);
      end = newline === -1 ? text.length : newline;
      if (end > start && text[end - 1] === '\r') end--;
    } else if (kind === 'block-comment') {
      ({ end, unterminated } = scanBlockComment(text, i));
    } else {
      ({ end, unterminated } = scanQuoted(text, i, CLOSER[kind]));
    }
    segments.push({ kind, start, end, unterminated });
    i = end;
    codeStart = end;
  }
  pushCode(text.length);
  return segments;
}

/** A quoted region closes at its quote character; the quote doubled is an escaped quote. */
function scanQuoted(text: string, open: number, closer: string): { end: number; unterminated: boolean } {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === closer) {
      if (text[i + 1] === closer) {
        i += 2;
        continue;
      }
      return { end: i + 1, unterminated: false };
    }
    i++;
  }
  return { end: text.length, unterminated: true };
}

/** T-SQL block comments nest: `/* a /* b *\/ c *\/` is one comment. */
function scanBlockComment(text: string, open: number): { end: number; unterminated: boolean } {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return { end: i, unterminated: false };
    } else i++;
  }
  return { end: text.length, unterminated: true };
}

/** 1-based line number of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
