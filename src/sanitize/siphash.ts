/**
 * SipHash-2-4 (Aumasson and Bernstein), a keyed pseudo-random function made for hashing short
 * inputs: masking calls it once per value from inside SQLite, where a fresh SHA-256 HMAC object
 * per call costs several times more than the whole row rewrite. It is a real PRF, so knowing
 * one production value and its masked form does not reveal the key or any other mapping.
 *
 * 64-bit words are kept as 32-bit halves because JavaScript bit operations are 32-bit; the
 * input is the string's UTF-16LE bytes, read straight from its code units.
 */

/** A 128-bit key as four little-endian 32-bit words: k0 low, k0 high, k1 low, k1 high. */
export type SipKey = Readonly<Uint32Array>;

export function sipKey(bytes: Buffer): SipKey {
  if (bytes.length < 16) throw new Error('SipHash needs a 16-byte key');
  return Uint32Array.of(bytes.readUInt32LE(0), bytes.readUInt32LE(4), bytes.readUInt32LE(8), bytes.readUInt32LE(12));
}

/**
 * Message words (low, high halves per 64-bit block) and the result halves, reused across calls:
 * masking hashes millions of short values, and a fresh array per call was a third of its cost.
 */
let words = new Int32Array(64);
const result = new Uint32Array(2);

function wordsFor(halves: number): Int32Array {
  if (words.length < halves) words = new Int32Array(halves * 2);
  return words;
}

/** The 64-bit SipHash-2-4 of `bytes` as [high, low] 32-bit halves; used to check against the published vectors. */
export function sipHash24Bytes(key: SipKey, bytes: Uint8Array): [number, number] {
  const blocks = Math.floor(bytes.length / 8) + 1;
  const w = wordsFor(blocks * 2);
  for (let i = 0; i + 8 <= bytes.length; i += 8) {
    w[i >> 2] = le32(bytes, i);
    w[(i >> 2) + 1] = le32(bytes, i + 4);
  }
  const tail = bytes.length - (bytes.length % 8);
  let lo = 0;
  let hi = 0;
  for (let i = tail; i < bytes.length; i++) {
    const shift = (i - tail) * 8;
    if (shift < 32) lo |= (bytes[i] ?? 0) << shift;
    else hi |= (bytes[i] ?? 0) << (shift - 32);
  }
  hi |= (bytes.length & 0xff) << 24;
  w[blocks * 2 - 2] = lo;
  w[blocks * 2 - 1] = hi;
  run(key, w, blocks);
  return [result[0] ?? 0, result[1] ?? 0];
}

/** SipHash-2-4 of the string's UTF-16LE bytes, as a non-negative integer below 2^52 (exact in a double). */
export function sipHash52(key: SipKey, text: string): number {
  const units = text.length;
  const full = units - (units % 4);
  const blocks = (full >> 2) + 1;
  const w = wordsFor(blocks * 2);
  for (let i = 0; i < full; i += 4) {
    w[i >> 1] = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    w[(i >> 1) + 1] = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
  }
  let lo = 0;
  let hi = 0;
  const rest = units - full;
  if (rest >= 1) lo = text.charCodeAt(full);
  if (rest >= 2) lo |= text.charCodeAt(full + 1) << 16;
  if (rest >= 3) hi = text.charCodeAt(full + 2);
  hi |= ((units * 2) & 0xff) << 24;
  w[blocks * 2 - 2] = lo;
  w[blocks * 2 - 1] = hi;
  run(key, w, blocks);
  return ((result[0] ?? 0) >>> 12) * 0x1_0000_0000 + (result[1] ?? 0);
}

function le32(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24);
}

/**
 * Runs the compression over the first `blocks` blocks of `w` (pairs of low, high halves; the
 * last block holds the length) and finalizes into `result` as [high, low].
 */
function run(key: SipKey, w: Int32Array, blocks: number): void {
  const k0l = key[0] ?? 0;
  const k0h = key[1] ?? 0;
  const k1l = key[2] ?? 0;
  const k1h = key[3] ?? 0;
  // "somepseudorandomlygeneratedbytes"
  let v0l = k0l ^ 0x70736575;
  let v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d;
  let v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261;
  let v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573;
  let v3h = k1h ^ 0x74656462;

  // Halves stay signed 32-bit integers, which V8 keeps unboxed. The carry out of a low-half sum
  // is computed without a branch: it depends on the data, so a compare-and-branch mispredicts
  // about half the time, which made hashing several times slower.
  let t: number;
  let ml = 0;
  let mh = 0;
  // one pass per message block (2 rounds), then the finalization (4 rounds)
  for (let block = 0; block <= blocks; block++) {
    const finalizing = block === blocks;
    if (finalizing) {
      v2l ^= 0xff;
    } else {
      ml = w[block * 2] ?? 0;
      mh = w[block * 2 + 1] ?? 0;
      v3l ^= ml;
      v3h ^= mh;
    }
    for (let r = finalizing ? 4 : 2; r > 0; r--) {
      // v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
      v1h = t ^ v0h;
      t = v0h;
      v0h = v0l;
      v0l = t;
      // v2 += v3; v3 = rotl(v3, 16); v3 ^= v2
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
      v3h = t ^ v2h;
      // v0 += v3; v3 = rotl(v3, 21); v3 ^= v0
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~t)) >>> 31)) | 0;
      v0l = t;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
      v3h = t ^ v0h;
      // v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~t)) >>> 31)) | 0;
      v2l = t;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
      v1h = t ^ v2h;
      t = v2h;
      v2h = v2l;
      v2l = t;
    }
    if (!finalizing) {
      v0l ^= ml;
      v0h ^= mh;
    }
  }
  result[0] = v0h ^ v1h ^ v2h ^ v3h;
  result[1] = v0l ^ v1l ^ v2l ^ v3l;
}
