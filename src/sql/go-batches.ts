import { UserError } from '../errors.js';
import { lineAt, scanTsql, type Segment } from './tsql-lexer.js';

/** One batch of a vendor script, as sqlcmd would send it to the server. */
export interface Batch {
  /** The batch text, line endings as in the file, without the GO line. */
  readonly text: string;
  /** 1-based line of the file where `text` starts; a server line number n is file line startLine + n - 1. */
  readonly startLine: number;
  /** `GO 3` runs the batch three times. */
  readonly repeat: number;
}

/** `GO` as the first word of a line, not followed by a character that would make it a longer name. */
const GO_LINE = /^[ \t]*go(?![\w@#$])(.*)$/i;
const MAX_REPEAT = 1_000_000;

/**
 * Splits a script at `GO` lines the way sqlcmd does. The driver sends one batch per request and
 * the server does not know `GO`, so vendor scripts must be split here. A `GO` inside a string,
 * a bracketed or quoted identifier, or a comment is text, not a separator.
 */
export function splitBatches(text: string, file: string): Batch[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const segments = scanTsql(source);
  rejectUnterminated(source, segments, file);
  const batches: Batch[] = [];
  let batchStart = 0;
  let batchLine = 1;
  let segmentIndex = 0;
  for (let lineStart = 0, line = 1; ; line++) {
    const newline = source.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? source.length : newline;
    while (segmentIndex < segments.length && (segments[segmentIndex]?.end ?? 0) <= lineStart) segmentIndex++;
    const match = startsInCode(segments[segmentIndex], lineStart) ? GO_LINE.exec(stripCarriageReturn(source.slice(lineStart, lineEnd))) : null;
    if (match !== null) {
      pushBatch(batches, source.slice(batchStart, lineStart), batchLine, parseRepeat(match[1] ?? '', file, line));
      batchStart = newline === -1 ? source.length : newline + 1;
      batchLine = line + 1;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  pushBatch(batches, source.slice(batchStart), batchLine, 1);
  return batches;
}

function startsInCode(segment: Segment | undefined, offset: number): boolean {
  return segment === undefined || segment.kind === 'code' || segment.start === offset;
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Whitespace-only batches are dropped: sqlcmd sends nothing for them either. */
function pushBatch(batches: Batch[], raw: string, startLine: number, repeat: number): void {
  if (raw.trim() === '') return;
  batches.push({ text: raw.replace(/\r?\n$/, ''), startLine, repeat });
}

function parseRepeat(rest: string, file: string, line: number): number {
  const count = rest.replace(/--.*$/, '').trim();
  if (count === '') return 1;
  const repeat = /^\d+$/.test(count) ? Number(count) : NaN;
  if (Number.isInteger(repeat) && repeat >= 1 && repeat <= MAX_REPEAT) return repeat;
  throw new UserError(
    `${file}:${line}: \`GO${rest}\` is not a batch separator sqlcmd accepts: GO stands alone on its line, optionally followed by ` +
      `a repeat count from 1 to ${MAX_REPEAT.toLocaleString('en-US')} (for example \`GO 3\`). Fix the line in the vendor script and run again.`,
  );
}

function rejectUnterminated(source: string, segments: readonly Segment[], file: string): void {
  const open = segments.find((s) => s.unterminated);
  if (open === undefined) return;
  const what = { string: 'a string', bracketed: 'a [bracketed] identifier', 'double-quoted': 'a "quoted" identifier', 'block-comment': 'a /* comment', 'line-comment': 'a comment', code: 'code' }[open.kind];
  throw new UserError(
    `${file}:${lineAt(source, open.start)}: the script ends inside ${what} that starts on this line, so its batches cannot be split safely. ` +
      'Close it (a quote inside a string is written twice) and run again.',
  );
}
