import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Hashed in chunks: a copy of a large billing database must not be read into memory whole. */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
