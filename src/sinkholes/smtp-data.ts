/** How much of a message's start is kept to read its headers (the subject) and, when asked, the amount its text states. */
export const MAX_HEADER_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
/** "." CRLF: the line that ends the data. */
const TERMINATOR_BYTES = 3;

const enum At {
  LineStart,
  Dot,
  DotCr,
  InLine,
}

/**
 * Reads the DATA part of an SMTP session as it arrives: finds the `<CRLF>.<CRLF>` that ends it,
 * counts the message's size after dot-unstuffing (RFC 5321 4.5.2) and keeps its first bytes for
 * the headers, or with `keepBodyStart` the message's first MAX_HEADER_BYTES whatever they are,
 * for the amount it states; the session reads them and lets them go with the message.
 */
export class MessageReader {
  /** Bytes of the message, without the stuffed dots and the terminating line. */
  size = 0;
  private at = At.LineStart;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** Bytes of the data as they came, the terminating line included. */
  private rawBytes = 0;
  private headComplete = false;

  constructor(private readonly keepBodyStart = false) {}

  /** Takes the next chunk; returns where the message ended in it (the index after the terminator), or -1 when it goes on. */
  push(chunk: Buffer): number {
    let end = -1;
    let i = 0;
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.at === At.InLine) {
        // The common case: skip to the end of the line in one step.
        const newline = chunk.indexOf(LF, i);
        if (newline < 0) {
          this.size += chunk.length - i;
          break;
        }
        this.size += newline - i + 1;
        i = newline;
        this.at = At.LineStart;
      } else if (this.at === At.LineStart) {
        if (byte === DOT) this.at = At.Dot;
        else {
          this.size++;
          this.at = byte === LF ? At.LineStart : At.InLine;
        }
      } else if (this.at === At.Dot) {
        // A leading dot is always removed: "." CRLF ends the data, ".." is one dot, ".x" is "x".
        if (byte === CR) this.at = At.DotCr;
        else {
          this.size++;
          this.at = byte === LF ? At.LineStart : At.InLine;
        }
      } else if (byte === LF) {
        end = i + 1;
        break;
      } else {
        this.size += 2;
        this.at = At.InLine;
      }
    }
    this.keepHead(end < 0 ? chunk : chunk.subarray(0, end));
    this.rawBytes += end < 0 ? chunk.length : end;
    if (end >= 0) this.dropTerminator();
    return end;
  }

  /** The ". CRLF" that ended the data is not the message's (its text would differ from a parser's). */
  private dropTerminator(): void {
    let extra = this.headBytes - (this.rawBytes - TERMINATOR_BYTES);
    while (extra > 0 && this.head.length > 0) {
      const last = this.head.pop()!;
      const keep = Math.max(0, last.length - extra);
      extra -= last.length - keep;
      this.headBytes -= last.length - keep;
      if (keep > 0) this.head.push(last.subarray(0, keep));
    }
  }

  /** The message's first bytes (at most MAX_HEADER_BYTES, enough for its headers), as latin1 text. */
  headText(): string {
    return this.start().toString('latin1');
  }

  /** The message's first bytes as they came (dots still stuffed), without the line that ended the data. */
  start(): Buffer {
    return Buffer.concat(this.head);
  }

  private keepHead(chunk: Buffer): void {
    if ((this.headComplete && !this.keepBodyStart) || this.headBytes >= MAX_HEADER_BYTES) return;
    const part = chunk.subarray(0, MAX_HEADER_BYTES - this.headBytes);
    // A copy: the socket's chunk would otherwise stay alive as long as this message.
    this.head.push(Buffer.from(part));
    this.headBytes += part.length;
    // Headers end at the first empty line; one split across two chunks only costs keeping more.
    this.headComplete = part.includes('\r\n\r\n');
  }
}
