import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ConfigError, UserError } from '../errors.js';

/** Plans and rule sets are a few KiB; anything far larger is a wrong path (a dump, a device). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Vendor sanitize scripts can be long generated files, but not database dumps. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/**
 * Why `file` cannot be an input of at most `maxBytes` bytes, or undefined when it can. Only the
 * metadata is looked at: a FIFO or /dev/zero is never opened for reading.
 */
export function inputFileProblem(file: string, maxBytes: number): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return openFailure(error);
  }
  return typeProblem(stats, maxBytes);
}

/**
 * Reads a regular file of at most `maxBytes` bytes. The type and size are checked on the open
 * descriptor before any byte is read (opened non-blocking, so a FIFO cannot hang the open), and
 * the read stops at the limit even if the file grows meanwhile.
 */
export function readInputFile(file: string, what: string, maxBytes: number): Buffer {
  const refuse = (reason: string): UserError => new UserError(`Cannot read the ${what} ${file}: ${reason}. Check the path you gave.`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw refuse(openFailure(error));
  }
  try {
    const problem = typeProblem(fstatSync(fd), maxBytes);
    if (problem !== undefined) throw refuse(problem);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length <= maxBytes; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > maxBytes) throw refuse(`it grew beyond ${describeBytes(maxBytes)} while being read`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * UTF-8 text of a config file. Invalid bytes are refused at their line and column rather than
 * turned into U+FFFD, which would otherwise travel into the run and its report.
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const { line, column, byte } = firstInvalidByte(bytes);
    throw new ConfigError(file, line, column, `invalid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')}); save the file as UTF-8`);
  }
}

function firstInvalidByte(bytes: Buffer): { line: number; column: number; byte: number } {
  const decodes = (length: number, stream: boolean): boolean => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream });
      return true;
    } catch {
      return false;
    }
  };
  // Decoding is monotone: once a prefix holds an invalid sequence, every longer prefix does too.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (decodes(middle + 1, true)) low = middle + 1;
    else high = middle;
  }
  // Byte `low` made decoding fail; the bad sequence starts where the last complete character ends.
  let start = low;
  while (start > Math.max(0, low - 3) && !decodes(start, false)) start--;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, start));
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: before.length - lineStart + 1, byte: bytes[start] ?? 0 };
}

function typeProblem(stats: Stats, maxBytes: number): string | undefined {
  if (stats.isDirectory()) return 'it is a directory, not a file';
  if (!stats.isFile()) return `it is not a regular file (${kindOf(stats)})`;
  if (stats.size > maxBytes) return `it is ${describeBytes(stats.size)}, more than the ${describeBytes(maxBytes)} such a file can be`;
  return undefined;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

function openFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'the file does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a folder on its path is a file';
  if (code === 'ELOOP') return 'its symbolic links loop';
  return `${code ?? 'error'}: ${(error as Error).message}`;
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB` : `${bytes} bytes`;
}
