/**
 * Compact storage for what a million-account bill run sent: numbers in growing typed arrays and
 * strings as bytes in one growing buffer, so the collector has almost nothing to trace. Strings are
 * stored exactly: as Latin-1 when every code unit fits a byte (addresses, invoice and account
 * numbers), else as UTF-16 code units (a one-to-one encoding of any JS string, lone surrogates too).
 */

/**
 * Columns grow by pages, never by copying: a column that doubled or grew by half kept its old
 * array until the next full collection, and at a million rows those dead arrays were tens of MB of
 * the peak. A page holds 64 Ki values.
 */
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const IN_PAGE = PAGE - 1;

/** A growing column of 32-bit integers. */
export class IntColumn {
  private readonly pages: Int32Array[] = [];
  length = 0;

  push(value: number): number {
    const index = this.length;
    if ((index & IN_PAGE) === 0 && index >>> PAGE_BITS === this.pages.length) this.pages.push(new Int32Array(PAGE));
    (this.pages[index >>> PAGE_BITS] as Int32Array)[index & IN_PAGE] = value;
    return this.length++;
  }

  get(index: number): number {
    return (this.pages[index >>> PAGE_BITS] as Int32Array)[index & IN_PAGE] as number;
  }

  set(index: number, value: number): void {
    (this.pages[index >>> PAGE_BITS] as Int32Array)[index & IN_PAGE] = value;
  }

  /** Makes indices below `length` readable, new ones holding `fill`. */
  extendTo(length: number, fill: number): void {
    if (length <= this.length) return;
    fillPages(this.pages, this.length, length, fill, () => new Int32Array(PAGE));
    this.length = length;
  }
}

/** Fills indices `from` to `to` of paged values, adding the pages they need. */
function fillPages<Page extends Int32Array | Float64Array>(pages: Page[], from: number, to: number, fill: number, newPage: () => Page): void {
  while (pages.length * PAGE < to) pages.push(newPage());
  for (let index = from; index < to; ) {
    const page = pages[index >>> PAGE_BITS] as Page;
    const end = Math.min(to - (index & ~IN_PAGE), PAGE);
    page.fill(fill, index & IN_PAGE, end);
    index = (index & ~IN_PAGE) + end;
  }
}

/** A growing column of doubles. */
export class NumberColumn {
  private readonly pages: Float64Array[] = [];
  length = 0;

  push(value: number): number {
    const index = this.length;
    if ((index & IN_PAGE) === 0 && index >>> PAGE_BITS === this.pages.length) this.pages.push(new Float64Array(PAGE));
    (this.pages[index >>> PAGE_BITS] as Float64Array)[index & IN_PAGE] = value;
    return this.length++;
  }

  get(index: number): number {
    return (this.pages[index >>> PAGE_BITS] as Float64Array)[index & IN_PAGE] as number;
  }

  set(index: number, value: number): void {
    (this.pages[index >>> PAGE_BITS] as Float64Array)[index & IN_PAGE] = value;
  }

  /** Makes indices below `length` readable, new ones holding `fill`. */
  extendTo(length: number, fill: number): void {
    if (length <= this.length) return;
    fillPages(this.pages, this.length, length, fill, () => new Float64Array(PAGE));
    this.length = length;
  }
}

function isLatin1(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Bytes per page of a StringColumn; a longer string gets a page of its own, as long as it needs. */
const BYTE_PAGE_BITS = 20;
const BYTE_PAGE = 1 << BYTE_PAGE_BITS;

/**
 * Strings appended one after another, each readable again by the index `push` returned. A string
 * never straddles two pages, so that it is read from one buffer.
 */
export class StringColumn {
  private readonly pages: Buffer[] = [];
  /** Bytes used in the last page. */
  private used = BYTE_PAGE;
  /** Where each string starts (page × BYTE_PAGE + offset); the header there says its length and encoding. */
  private readonly starts = new IntColumn();

  get length(): number {
    return this.starts.length;
  }

  push(value: string): number {
    return this.starts.push(this.append(value));
  }

  get(index: number): string {
    const start = this.starts.get(index);
    const page = this.pages[start >>> BYTE_PAGE_BITS] as Buffer;
    const at = start & (BYTE_PAGE - 1);
    const header = page.readUInt32LE(at);
    return page.toString(header & 1 ? 'utf16le' : 'latin1', at + 4, at + 4 + (header >>> 1));
  }

  /** Whether string `index` equals `value`, read in place: interning compares on every probe. */
  equals(index: number, value: string): boolean {
    const start = this.starts.get(index);
    const page = this.pages[start >>> BYTE_PAGE_BITS] as Buffer;
    const at = start & (BYTE_PAGE - 1);
    const header = page.readUInt32LE(at);
    if (header & 1) return this.get(index) === value;
    if (header >>> 1 !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (page[at + 4 + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  /** Every string's index, in the order `<` puts the strings: an index array sorted in place, no string made. */
  indicesInOrder(): Int32Array {
    const order = new Int32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return order.sort((a, b) => this.compare(a, b));
  }

  /** Orders strings `a` and `b` as `<` orders JS strings, reading Latin-1 ones in place. */
  compare(a: number, b: number): number {
    const startA = this.starts.get(a);
    const startB = this.starts.get(b);
    const pageA = this.pages[startA >>> BYTE_PAGE_BITS] as Buffer;
    const pageB = this.pages[startB >>> BYTE_PAGE_BITS] as Buffer;
    const atA = startA & (BYTE_PAGE - 1);
    const atB = startB & (BYTE_PAGE - 1);
    const headerA = pageA.readUInt32LE(atA);
    const headerB = pageB.readUInt32LE(atB);
    if ((headerA & 1) === 1 || (headerB & 1) === 1) {
      const x = this.get(a);
      const y = this.get(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const lengthA = headerA >>> 1;
    const lengthB = headerB >>> 1;
    for (let i = 0, n = Math.min(lengthA, lengthB); i < n; i++) {
      const d = (pageA[atA + 4 + i] as number) - (pageB[atB + 4 + i] as number);
      if (d !== 0) return d;
    }
    return lengthA - lengthB;
  }

  /** Stores `value` behind a header (byte length × 2, plus 1 for UTF-16); returns where it starts. */
  private append(value: string): number {
    const latin1 = isLatin1(value);
    const length = latin1 ? value.length : value.length * 2;
    const needed = 4 + length;
    if (this.used + needed > BYTE_PAGE) {
      // A string longer than a page takes as many page numbers as its buffer spans.
      const pages = Math.ceil(needed / BYTE_PAGE);
      if ((this.pages.length + pages) * BYTE_PAGE > 0x7fffffff) throw new RangeError('a StringColumn holds at most 2 GB of strings');
      this.pages.push(Buffer.alloc(Math.max(needed, BYTE_PAGE)));
      for (let extra = 1; extra < pages; extra++) this.pages.push(Buffer.alloc(0));
      this.used = pages > 1 ? BYTE_PAGE : 0;
      if (pages > 1) {
        const start = (this.pages.length - pages) * BYTE_PAGE;
        this.write(this.pages[this.pages.length - pages] as Buffer, 0, value, length, latin1);
        return start;
      }
    }
    const page = this.pages[this.pages.length - 1] as Buffer;
    const at = this.used;
    this.write(page, at, value, length, latin1);
    this.used += needed;
    return (this.pages.length - 1) * BYTE_PAGE + at;
  }

  private write(page: Buffer, at: number, value: string, length: number, latin1: boolean): void {
    page.writeUInt32LE(length * 2 + (latin1 ? 0 : 1), at);
    page.write(value, at + 4, length, latin1 ? 'latin1' : 'utf16le');
  }
}

const EMPTY = 0;

/**
 * Open-addressed tables grow past three quarters full, not half: a million contacts or invoices
 * (a 1M-account bill run) just past a power of two would otherwise take a table twice the size,
 * tens of MB; linear probing at three quarters still finds a key in about 2.5 probes.
 */
function overfull(size: number, slots: number): boolean {
  return size * 4 > slots * 3;
}

/**
 * Strings numbered 0, 1, 2… in the order first seen, each stored once: the same account number
 * or invoice number from either side's ledger gets the same id. Found again through an
 * open-addressed table of ids; equal hashes are confirmed by comparing the strings.
 */
export class StringIds extends StringColumn {
  /** Id + 1 of the string in each slot; EMPTY marks a free one. A power of two long, at most three quarters full. */
  private slots = new Int32Array(1024);
  /**
   * The low byte of each slot's hash: skips almost every string comparison a probe would make, at
   * a quarter of the memory a whole hash costs (8 MB at a million strings); growing hashes again.
   */
  private hashBytes = new Uint8Array(1024);

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
    this.hashBytes[found] = hash & 0xff;
    if (overfull(this.size, this.slots.length)) this.growTable();
    return id;
  }

  /** The id of `value`, or -1 when it was never interned. */
  find(value: string): number {
    return (this.slots[this.slotOf(value, hashOf(value))] as number) - 1;
  }

  has(value: string): boolean {
    return this.find(value) >= 0;
  }

  /** Every string, in the order first seen (by id). */
  *[Symbol.iterator](): Iterator<string> {
    for (let id = 0; id < this.size; id++) yield this.get(id);
  }

  private slotOf(value: string, hash: number): number {
    const mask = this.slots.length - 1;
    const low = hash & 0xff;
    let slot = hash & mask;
    for (; this.slots[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.hashBytes[slot] === low && this.equals((this.slots[slot] as number) - 1, value)) return slot;
    }
    return slot;
  }

  private growTable(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const hashBytes = new Uint8Array(slots.length);
    const mask = slots.length - 1;
    for (let old = 0; old < this.slots.length; old++) {
      const stored = this.slots[old] as number;
      if (stored === EMPTY) continue;
      const hash = hashOf(this.get(stored - 1));
      let slot = hash & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = stored;
      hashBytes[slot] = hash & 0xff;
    }
    this.slots = slots;
    this.hashBytes = hashBytes;
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
 * 64 bits: 12 bytes a slot, at most three quarters full, where a Map of a million numbers costs ~50 bytes an
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
    if (overfull(this.size, this.values.length)) this.grow();
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
