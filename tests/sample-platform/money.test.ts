import t from 'tap';
import { divideRounded, formatCents } from '../../sample-platform/shared/money.js';
import { addMonths, nextDateOnDay, parseIsoDate } from '../../sample-platform/shared/dates.js';
import {
  discountCents,
  overageCents,
  perMemberOverage,
  pooledOverage,
  taxCents,
} from '../../sample-platform/service/billing/rating.js';

t.test('half-up rounds exact halves away from zero, half-down towards zero', async (t) => {
  t.equal(divideRounded(29985, 10, 'half-up'), 2999);
  t.equal(divideRounded(29985, 10, 'half-down'), 2998);
  t.equal(divideRounded(-29985, 10, 'half-up'), -2999);
  t.equal(divideRounded(-29985, 10, 'half-down'), -2998);
});

t.test('anything but an exact half rounds to the nearest cent in both modes', async (t) => {
  for (const mode of ['half-up', 'half-down'] as const) {
    t.equal(divideRounded(29986, 10, mode), 2999, `${mode} above half`);
    t.equal(divideRounded(29984, 10, mode), 2998, `${mode} below half`);
    t.equal(divideRounded(-29986, 10, mode), -2999, `${mode} negative above half`);
    t.equal(divideRounded(30000, 10, mode), 3000, `${mode} exact`);
  }
});

t.test('refuses amounts that are not safe integers', async (t) => {
  t.throws(() => divideRounded(1.5, 10, 'half-up'), RangeError);
  t.throws(() => divideRounded(10, 0, 'half-up'), RangeError);
});

t.test('money rules of the bill run', async (t) => {
  t.equal(discountCents(5997, 50, 'half-up'), 2999, '50% of 59.97 is 29.985, rounded up');
  t.equal(discountCents(5997, 50, 'half-down'), 2998);
  t.equal(overageCents(117, 25, 'half-up'), 293, '117 minutes at 2.5 cents');
  t.equal(overageCents(117, 25, 'half-down'), 292);
  t.equal(taxCents(70237, 825, 'half-up'), 5795);
  t.equal(taxCents(200, 825, 'half-up'), 17, '16.5 cents of tax rounds up');
  t.equal(taxCents(200, 825, 'half-down'), 16);
});

t.test('a pool compares the family total once; the per-child defect compares each member', async (t) => {
  const minutes = [231, 247, 263, 199, 177];
  t.equal(pooledOverage(minutes, 1000), 117);
  t.equal(perMemberOverage(minutes, 1000), 0);
  t.equal(perMemberOverage([1200, 50], 1000), 200);
});

t.test('dates move by whole months and find the next bill day', async (t) => {
  t.equal(addMonths('2026-11-01', 1), '2026-12-01');
  t.equal(addMonths('2026-12-15', 1), '2027-01-15');
  t.equal(addMonths('2026-11-01', 12), '2027-11-01');
  t.equal(nextDateOnDay('2026-11-01', 15), '2026-11-15');
  t.equal(nextDateOnDay('2026-11-20', 15), '2026-12-15');
  t.equal(parseIsoDate('2026-02-30'), undefined);
  t.same(parseIsoDate('2026-02-28'), { year: 2026, month: 2, day: 28 });
});

t.test('amounts are shown with two decimals and the currency', async (t) => {
  t.equal(formatCents(123456, 'USD'), '1,234.56 USD');
  t.equal(formatCents(-5, 'USD'), '-0.05 USD');
});
