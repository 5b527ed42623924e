import { createHash } from 'node:crypto';

/**
 * 13 hex digits (52 bits) of a value's SHA-256: enough to tell two values apart in one ledger,
 * and the value itself (a key, a message's text) is never kept.
 */
export function shortDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 13);
}
