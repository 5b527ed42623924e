import t from 'tap';
import { IntColumn, NumberColumn } from '../../src/compact/columns.js';

t.test('a column extended past its pages reads the fill there, keeps what it held, and pushes after the new end', async (t) => {
  for (const [name, make] of [
    ['IntColumn', () => new IntColumn()],
    ['NumberColumn', () => new NumberColumn()],
  ] as const) {
    const column = make();
    column.push(7);
    column.extendTo(65_536 * 2 + 3, -1);
    t.equal(column.length, 131_075, `${name}: the new length`);
    t.equal(column.get(0), 7, `${name}: the value it held`);
    t.same([column.get(1), column.get(65_535), column.get(65_536), column.get(131_074)], [-1, -1, -1, -1], `${name}: the fill, on every page`);
    column.set(65_536, 42);
    t.equal(column.push(9), 131_075, `${name}: a push lands after the extension`);
    t.same([column.get(65_536), column.get(131_075)], [42, 9], `${name}: set and pushed values`);
    column.extendTo(10, 5);
    t.equal(column.length, 131_076, `${name}: extending to less changes nothing`);
  }
  const amounts = new NumberColumn();
  amounts.extendTo(3, Number.NaN);
  amounts.set(1, 1234567890.5);
  t.ok(Number.isNaN(amounts.get(0)), 'doubles keep NaN');
  t.equal(amounts.get(1), 1234567890.5, 'and values past 32 bits');
});
