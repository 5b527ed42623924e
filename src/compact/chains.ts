import { IntColumn } from './columns.js';

const NONE = -1;

/**
 * Rows of one kind chained per key (account or invoice id). Each new row goes to the front of its
 * key's chain, so no per-key tail is kept (4 bytes per key and kind); reading reverses the chain
 * back into the order the rows were added.
 */
export class Chains {
  private readonly first = new IntColumn();
  private readonly next = new IntColumn();
  /** Keys with at least one row. */
  keys = 0;

  /** Chains row `row` under `key`; rows are added in increasing order, not all of them chained. */
  add(key: number, row: number): void {
    this.next.extendTo(row + 1, NONE);
    this.first.extendTo(key + 1, NONE);
    const head = this.first.get(key);
    if (head === NONE) this.keys++;
    this.next.set(row, head);
    this.first.set(key, row);
  }

  rowsOf(key: number): number[] {
    const rows: number[] = [];
    if (key < 0 || key >= this.first.length) return rows;
    for (let row = this.first.get(key); row !== NONE; row = this.next.get(row)) rows.push(row);
    return rows.reverse();
  }

  /** Keys that have rows, in key order. */
  *keysWithRows(): Iterable<number> {
    for (let key = 0; key < this.first.length; key++) if (this.first.get(key) !== NONE) yield key;
  }
}
