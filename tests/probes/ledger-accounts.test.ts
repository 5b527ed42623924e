import t from 'tap';
import { compareAccounts, describeAccounts } from '../../src/probes/ledger-accounts.js';

/**
 * A job's attempts against the `accounts` query's rows, as multisets: what a worker that
 * provisions twice, skips a pending package or provisions the wrong account must fail with, and
 * what a count (`min: 1`) alone lets through.
 */
t.test('the same accounts as often as listed pass, in any order', async (t) => {
  const c = compareAccounts(['A', 'B', 'B', 'C'], ['B', 'C', 'A', 'B']);
  t.ok(c.met);
  t.same([c.repeated, c.missing, c.unexpected, c.unattributed], [[], [], [], 0]);
  t.equal(describeAccounts(c), '4 attempt(s), each to an account the query lists, as often as it lists it');
  t.ok(compareAccounts([], []).met, 'nothing listed and nothing sent');
});

t.test('every account sent twice fails, though each was reached at least once', async (t) => {
  const c = compareAccounts(['A', 'B'], ['A', 'A', 'B', 'B']);
  t.notOk(c.met);
  t.same(c.repeated, [{ account: 'A', expected: 1, sent: 2 }, { account: 'B', expected: 1, sent: 2 }]);
  t.equal(describeAccounts(c), '4 attempt(s) for 2 listed: 2 account(s) sent to more often than listed: A (2 for 1), B (2 for 1)');
});

t.test('a missing account, one sent once of twice, an account not listed and an unattributed attempt are each named', async (t) => {
  const c = compareAccounts(['A', 'B', 'B', 'C'], ['B', 'X', undefined, 'X', 'C']);
  t.notOk(c.met);
  t.same(c.missing, [{ account: 'A', expected: 1, sent: 0 }, { account: 'B', expected: 2, sent: 1 }]);
  t.same(c.unexpected, [{ account: 'X', expected: 0, sent: 2 }]);
  t.equal(c.unattributed, 1);
  t.equal(describeAccounts(c), '5 attempt(s) for 4 listed: 2 account(s) missing: A, B (1 of 2); 1 account(s) not listed: X (2); 1 attempt(s) naming no account');
  t.notOk(compareAccounts(['A'], ['A', undefined]).met, 'an attempt naming no account fails even when every listed one was reached');
  t.notOk(compareAccounts([], ['A']).met, 'nothing listed, something sent');
});

t.test('the lists are capped, the counts are not', async (t) => {
  const listed = Array.from({ length: 25 }, (_, i) => `ACC-${String(i).padStart(3, '0')}`);
  const text = describeAccounts(compareAccounts(listed, []));
  t.match(text, /^0 attempt\(s\) for 25 listed: 25 account\(s\) missing: ACC-000, .*ACC-009 and 15 more$/);
  t.notMatch(text, /ACC-010/);
});
