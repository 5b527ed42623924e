import { fileURLToPath } from 'node:url';
import { createMasker, type Masker } from '../src/sanitize/maskers.js';

/** What bench/sanitize.ts and its round-trip server share: the shipped rules and one fixed benchmark key. */
export const RULES = fileURLToPath(new URL('../sanitize/sample-platform.yaml', import.meta.url));
export const SAFE_DOMAIN = 'rehearsal.invalid';

export function benchMasker(): Masker {
  return createMasker(Buffer.from('benchmark secret, not a real one'), SAFE_DOMAIN);
}
