import t from 'tap';
import { centsOfStatedAmount } from '../../src/checks/money.js';

t.test('amounts as mails state them, in the usual notations, become cents', async (t) => {
  const read: [string, number][] = [
    ['55.00', 5500],
    ['1,234.56', 123456],
    ['1.234,56', 123456],
    ['1 234,56', 123456],
    ["1'234.50", 123450],
    ['1\u00a0234,56', 123456],
    ['12,345,678.90', 1234567890],
    ['55', 5500],
    ['1,234', 123400],
    ['12.5', 1250],
    ['0.07', 7],
    ['-12.50', -1250],
    ['999999999999.99', 99999999999999],
  ];
  for (const [text, cents] of read) t.equal(centsOfStatedAmount(text), cents, text);
});

t.test('what is not an amount is not read as one', async (t) => {
  for (const text of ['', 'ten', '12.345.6', '1,23,456', '1,234.567', '1,234,56', '1.234.56', '12..50', '$55.00', '55.00 USD', '١٢٣', '12.5e3', '--5', `${'9'.repeat(100_000)}x`, "1'; DROP TABLE invoices; --"]) {
    t.equal(centsOfStatedAmount(text), undefined, JSON.stringify(text.slice(0, 40)));
  }
});
