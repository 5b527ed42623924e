const EMPTY = 0;
const LENGTH_BYTES = 4;

/**
 * Counts distinct strings exactly without keeping them as heap strings: each one is stored once
 * as UTF-16 code units (a one-to-one encoding of any JS string, lone surrogates included) behind
 * its byte length in one growing buffer, and found again through an open-addressed table of
 * offsets. Equal hashes are confirmed by comparing the bytes, so the count is exact. A
 * Set<string> of the ~830,000 account numbers a million-account ledger names held 50 MB of heap
 * and, keeping that many small objects alive, raised the peak by ~130 MB; this holds a 17 MB
 * table and 20 MB of bytes outside the heap, and gives the collector nothing to trace.
 */
export class DistinctStrings {
  private bytes = Buffer.alloc(64 * 1024);
  private used = 0;
  /** Offset + 1 of each stored string in `bytes`; EMPTY marks a free slot. A power of two long. */
  private slots = new Int32Array(1024);
  /** The hash of the string in the same slot: rehashing never re-reads bytes, probing rarely compares them. */
  private hashes = new Int32Array(1024);
  private count = 0;
  private scratch = Buffer.alloc(256);

  get size(): number {
    return this.count;
  }

  add(value: string): void {
    const length = value.length * 2;
    if (length > this.scratch.length) this.scratch = Buffer.alloc(length * 2);
    this.scratch.write(value, 0, 'utf16le');
    const hash = fnv1a(this.scratch, length);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; this.slots[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === hash && this.sameAs(this.slots[slot]! - 1, length)) return;
    }
    this.slots[slot] = this.store(length) + 1;
    this.hashes[slot] = hash;
    this.count++;
    // At most half full, so probe runs stay short.
    if (this.count * 2 > this.slots.length) this.growTable();
  }

  private sameAs(offset: number, length: number): boolean {
    return this.bytes.readUInt32LE(offset) === length && this.bytes.compare(this.scratch, 0, length, offset + LENGTH_BYTES, offset + LENGTH_BYTES + length) === 0;
  }

  /** Appends the scratch bytes behind their length; returns where they start. */
  private store(length: number): number {
    const needed = this.used + LENGTH_BYTES + length;
    if (needed > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    const offset = this.used;
    this.bytes.writeUInt32LE(length, offset);
    this.scratch.copy(this.bytes, offset + LENGTH_BYTES, 0, length);
    this.used = needed;
    return offset;
  }

  private growTable(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const hashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let old = 0; old < this.slots.length; old++) {
      const stored = this.slots[old]!;
      if (stored === EMPTY) continue;
      const hash = this.hashes[old]!;
      let slot = hash & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = stored;
      hashes[slot] = hash;
    }
    this.slots = slots;
    this.hashes = hashes;
  }
}

/** 32-bit FNV-1a: cheap and spreads the nearly identical account numbers of one platform well. */
function fnv1a(bytes: Buffer, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  // As an int32, like the table that stores it (the empty string never went through Math.imul).
  return hash | 0;
}
