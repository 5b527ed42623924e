import type { BytesPreview } from './ledger.js';

/** The most of a payload the ledger keeps: enough to see the command, too little to hold a dump. */
export const PREVIEW_LIMIT = 256;

export function previewBytes(data: Buffer): BytesPreview {
  const head = data.subarray(0, PREVIEW_LIMIT);
  // latin1 maps each byte to one character, so replacing the unprintable ones keeps positions.
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return { length: head.length, hex: head.toString('hex'), text };
}
