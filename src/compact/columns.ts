/**
 * Compact storage for what a million-account bill run sent: numbers in growing typed arrays and
 * strings as bytes in one growing buffer, so the collector has almost nothing to trace. Strings are
 * stored exactly: as Latin-1 when every code unit fits a byte (addresses, invoice and account
 * numbers), else as UTF-16 code units (a one-to-one encoding of any JS string, lone surrogates too).
 */

/** Growing by half keeps the unused tail and the copy during growth smaller than doubling does, at a million rows tens of MB. */
function grownLength(length: number): number {
  return Math.ceil(length * 1.5);
}

/** A growing column of 32-bit integers. */
export class IntColumn {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(value: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = value;
    return this.length++;
  }

  get(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Makes indices below `length` readable, new ones holding `fill`. */
  extendTo(length: number, fill: number): void {
    if (length <= this.length) return;
    if (length > this.data.length) this.grow(length);
    this.data.fill(fill, this.length, length);
    this.length = length;
  }

  private grow(atLeast: number): void {
    const grown = new Int32Array(Math.max(atLeast, grownLength(this.data.length)));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

/** A growing column of doubles. */
export class NumberColumn {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): number {
    if (this.length === this.data.length) {
      const grown = new Float64Array(grownLength(this.data.length));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    return this.length++;
  }

  get(index: number): number {
    return this.data[index] as number;
  }
}


function isLatin1(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Strings appended one after another, each readable again by the index `push` returned. */
export class StringColumn {
  private bytes = Buffer.alloc(64 * 1024);
  private used = 0;
  /** Start of each string in `bytes`; the header there says its length and encoding. */
  private readonly starts = new IntColumn();

  get length(): number {
    return this.starts.length;
  }

  push(value: string): number {
    return this.starts.push(this.append(value));
  }

  get(index: number): string {
    return this.read(this.starts.get(index));
  }

  /** Stores `value` behind a header (byte length × 2, plus 1 for UTF-16); returns where it starts. */
  protected append(value: string): number {
    const latin1 = isLatin1(value);
    const length = latin1 ? value.length : value.length * 2;
    const needed = this.used + 4 + length;
    if (needed > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(needed, grownLength(this.bytes.length)));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    const start = this.used;
    this.bytes.writeUInt32LE(length * 2 + (latin1 ? 0 : 1), start);
    this.bytes.write(value, start + 4, length, latin1 ? 'latin1' : 'utf16le');
    this.used = needed;
    return start;
  }

  protected read(start: number): string {
    const header = this.bytes.readUInt32LE(start);
    const length = header >>> 1;
    return this.bytes.toString(header & 1 ? 'utf16le' : 'latin1', start + 4, start + 4 + length);
  }
}

const EMPTY = 0;

/**
 * Strings numbered 0, 1, 2… in the order first seen, each stored once: the same account number
 * or invoice number from either side's ledger gets the same id. Found again through an
 * open-addressed table of ids; equal hashes are confirmed by comparing the strings.
 */
export class StringIds extends StringColumn {
  /** Id + 1 of the string in each slot; EMPTY marks a free one. A power of two long, at most half full. */
  private slots = new Int32Array(1024);
  private hashes = new Int32Array(1024);

  get size(): number {
    return this.length;
  }

  /** The id of `value`, numbering it when new. */
  intern(value: string): number {
    const hash = hashOf(value);
    const found = this.slotOf(value, hash);
    const known = this.slots[found] as number;
    if (known !== EMPTY) return known - 1;
    const id = this.push(value);
    this.slots[found] = id + 1;
    this.hashes[found] = hash;
    if (this.size * 2 > this.slots.length) this.growTable();
    return id;
  }

  /** The id of `value`, or -1 when it was never interned. */
  find(value: string): number {
    return (this.slots[this.slotOf(value, hashOf(value))] as number) - 1;
  }

  private slotOf(value: string, hash: number): number {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; this.slots[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === hash && this.get((this.slots[slot] as number) - 1) === value) return slot;
    }
    return slot;
  }

  private growTable(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const hashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let old = 0; old < this.slots.length; old++) {
      const stored = this.slots[old] as number;
      if (stored === EMPTY) continue;
      const hash = this.hashes[old] as number;
      let slot = hash & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = stored;
      hashes[slot] = hash;
    }
    this.slots = slots;
    this.hashes = hashes;
  }
}

/** 32-bit FNV-1a over the UTF-16 code units. */
function hashOf(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return hash | 0;
}

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);

/**
 * Numbers (contact ids and the like) to ids ≥ 0, open-addressed in typed arrays by the number's
 * 64 bits: 12 bytes a slot, at most half full, where a Map of a million numbers costs ~50 bytes an
 * entry on the heap.
 */
export class IntegerMap {
  private low = new Uint32Array(1024);
  private high = new Uint32Array(1024);
  /** Value + 1; 0 marks a free slot. */
  private values = new Int32Array(1024);
  size = 0;

  set(key: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value >= 0x7fffffff) throw new RangeError(`IntegerMap holds non-negative 31-bit values, got ${value}`);
    const slot = this.slotOf(key);
    if (this.values[slot] === EMPTY) {
      this.low[slot] = WORDS[0] as number;
      this.high[slot] = WORDS[1] as number;
      this.size++;
    }
    this.values[slot] = value + 1;
    if (this.size * 2 > this.values.length) this.grow();
  }

  /** The value for `key`, or -1. */
  get(key: number): number {
    return (this.values[this.slotOf(key)] as number) - 1;
  }

  /** The slot holding `key`, or the free one where it goes; leaves the key's bits in WORDS. */
  private slotOf(key: number): number {
    BITS[0] = key;
    return this.slotOfBits(WORDS[0] as number, WORDS[1] as number);
  }

  private slotOfBits(low: number, high: number): number {
    const mask = this.values.length - 1;
    let slot = (Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1) >>> 0) & mask;
    for (; this.values[slot] !== EMPTY; slot = (slot + 1) & mask) if (this.low[slot] === low && this.high[slot] === high) return slot;
    return slot;
  }

  private grow(): void {
    const { low, high, values } = this;
    this.low = new Uint32Array(low.length * 2);
    this.high = new Uint32Array(high.length * 2);
    this.values = new Int32Array(values.length * 2);
    for (let slot = 0; slot < values.length; slot++) {
      const value = values[slot] as number;
      if (value === EMPTY) continue;
      const target = this.slotOfBits(low[slot] as number, high[slot] as number);
      this.low[target] = low[slot] as number;
      this.high[target] = high[slot] as number;
      this.values[target] = value;
    }
  }
}
