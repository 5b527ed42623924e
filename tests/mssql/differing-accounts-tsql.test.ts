import t from 'tap';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { tsqlDiffStatements, withTsqlDifferingAccounts } from '../../src/differential/differing-accounts-tsql.js';
import type { DatabaseEngine, Row } from '../../src/engine/types.js';
import type { Fragment } from '../../src/sql/fragment.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import { goldenMismatch, type GoldenStatement } from './golden.js';

const DATABASES = { rehearsal: 'billing_rehearsal_7f3a', production: 'billing_after_run' };
const TAG = '0123abcd';
const BILL_DATE = '2026-11-01';
const statements = tsqlDiffStatements(profile, BILL_DATE, DATABASES, TAG);

t.test('golden T-SQL of the production diff on one server: three-part sp_executesql, byte images, only differing rows back', async (t) => {
  const golden: GoldenStatement[] = [
    ...statements.read.map((fragment, i) => ({ name: `read ${['rehearsal accounts', 'production accounts', 'rehearsal charges', 'production charges'][i]}`, fragment })),
    { name: 'column types of one side', fragment: statements.columnTypes(statements.tables.accounts[0]) },
    { name: 'differing accounts', fragment: statements.differing },
    { name: 'accounts on either side and on both', fragment: statements.counts },
    { name: 'trait base rates', fragment: statements.traitGroups },
    { name: 'rows of the differing accounts', fragment: statements.rows },
    ...statements.drop.map((fragment, i) => ({ name: `drop ${i + 1}`, fragment })),
  ];
  const mismatch = goldenMismatch('production-diff-server.sql', golden);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/production-diff-server.sql');
  for (const { name, fragment } of golden) {
    const { text } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `${name}: no constructs from other dialects`);
    t.notOk(text.includes(BILL_DATE), `${name}: the bill date is a parameter, not text`);
  }
  for (const fragment of statements.read) t.same(findNonTsql(String(tsqlDialect.render(fragment).params['p0'])), [], 'the statement run in each database passes the lint too');
  const read = tsqlDialect.render(statements.read[1] as Fragment);
  t.match(read.text, /^EXEC \[billing_after_run\]\.sys\.sp_executesql @p0, @p1, @p0 = @p2/, "production's query runs in its own database by a three-part name");
  t.match(String(read.params['p0']), /INTO \[##rh_accounts_1_0123abcd\] FROM \(SELECT a\.account_number/, 'into a global temporary table, from the adapter query as written');
  t.equal(read.params['p2'], BILL_DATE);
  t.throws(() => tsqlDiffStatements(profile, BILL_DATE, DATABASES, 'x]; DROP TABLE accounts'), /tag is lower-case hex/);
});

/** An engine that answers the column-type queries with `types` per table, records everything and fails nothing. */
function recordingEngine(types: (table: string) => Row[], rows: Row[] = []): { engine: DatabaseEngine; sent: string[] } {
  const sent: string[] = [];
  const text = (f: Fragment): string => tsqlDialect.render(f).text;
  const engine: DatabaseEngine = {
    kind: 'mssql',
    dialect: tsqlDialect,
    description: 'fake',
    async query<T extends Row>(f: Fragment): Promise<T[]> {
      const { text: sqlText, params } = tsqlDialect.render(f);
      sent.push(sqlText);
      if (sqlText.includes('tempdb.sys.columns')) return types(String(params['p0'])) as T[];
      if (sqlText.includes('AS in_both')) return [{ accounts: 3, in_both: 2 }] as unknown as T[];
      return [] as T[];
    },
    async exec(f) {
      sent.push(text(f));
      return { rowsAffected: 0 };
    },
    async *stream<T extends Row>(f: Fragment): AsyncIterable<T> {
      sent.push(text(f));
      for (const row of rows) yield row as T;
    },
    async transaction(work) {
      return work(engine);
    },
    async tables() {
      return [];
    },
    async close() {},
  };
  return { engine, sent };
}

t.test('sides whose columns differ in type are left to the merge, and the temporary tables are dropped either way', async (t) => {
  const same = recordingEngine(() => [{ name: 'balance', type_name: 'decimal', max_length: 9, precision: 18, scale: 2, collation_name: null }]);
  const found = await withTsqlDifferingAccounts(same.engine, DATABASES, profile, BILL_DATE, TAG, async (d) => ({ accounts: d.accounts, inBoth: d.inBoth }));
  t.same(found, { accounts: 3, inBoth: 2 }, 'compared on the server');
  t.equal(same.sent.filter((s) => s.startsWith('DROP TABLE IF EXISTS')).length, 5);
  const retyped = recordingEngine((table) => [{ name: 'balance', type_name: table.includes('_1_') ? 'float' : 'decimal', max_length: 9, precision: 18, scale: 2, collation_name: null }]);
  t.equal(await withTsqlDifferingAccounts(retyped.engine, DATABASES, profile, BILL_DATE, TAG, async () => 'compared'), undefined, 'another type on one side: merged instead');
  t.notOk(retyped.sent.some((s) => s.includes('INTO [#rh_differing')), 'nothing compared on the server');
  t.equal(retyped.sent.filter((s) => s.startsWith('DROP TABLE IF EXISTS')).length, 5, 'and its tables dropped');
});

t.test('the differing rows pair up per account, charges summed by kind in cents', async (t) => {
  const row = (side: number, what: number, extra: Row): Row => ({ account_number: 'ACC-1', side, what, balance: null, bill_run_payments: 0, invoice_total: null, tax: null, pool_used_minutes: null, pool_role: 'no pool', is_child: 0, next_bill_dates: null, package_traits: null, kind: null, amount: null, ...extra });
  const rows = [row(0, 0, { balance: 12.5, invoice_total: 10 }), row(0, 1, { kind: 'usage', amount: 1.25 }), row(0, 1, { kind: 'usage', amount: 0.75 }), row(1, 0, { balance: 12.5, invoice_total: 12 })];
  const { engine } = recordingEngine(() => [], rows);
  const pairs = await withTsqlDifferingAccounts(engine, DATABASES, profile, BILL_DATE, TAG, async (d) => {
    const out = [];
    for await (const pair of d.differing()) out.push(pair);
    return out;
  });
  t.equal(pairs?.length, 1);
  const [r, p] = pairs?.[0] ?? [];
  t.equal(r?.invoice_total, 1000);
  t.same([...(r?.chargesByKind ?? [])], [['usage', 200]]);
  t.equal(p?.invoice_total, 1200);
  t.same([...(p?.chargesByKind ?? [])], []);
});
