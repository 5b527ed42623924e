import type { BytesPreview } from './ledger.js';

/** The most of a payload the ledger keeps: enough to see the command, too little to hold a dump. */
export const PREVIEW_LIMIT = 256;

export function previewBytes(data: Buffer): BytesPreview {
  const head = data.subarray(0, PREVIEW_LIMIT);
  const text = [...head].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return { length: head.length, hex: head.toString('hex'), text };
}
