import t from 'tap';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import * as profile from '../../src/profiles/sample-platform.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from './golden.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * The verification queries of the example plan, as the SQL Server engine would send them: the
 * plan's own values (bill date, scenario accounts) must appear only as parameters.
 */
const plan = loadPlan(join(PROJECT_ROOT, 'plans/example-local.yaml'));
const accounts = plan.scenarios.map((s) => s.account);
const date = plan.billRun.date;
const STRING_AGG = 'node-sql-parser 5.4 transactsql does not know STRING_AGG ... WITHIN GROUP';

t.test('golden T-SQL of the example plan\'s verification queries', async (t) => {
  const statements: GoldenStatement[] = [
    { name: 'packages due (baseline)', fragment: profile.duePackages(accounts, date) },
    { name: 'pools (baseline)', fragment: profile.pools(accounts, date) },
    { name: 'accounts to provision (baseline)', fragment: profile.accountsToProvision(date) },
    { name: 'account features (picker)', fragment: profile.accountFeatures(tsqlDialect, date), unparsable: STRING_AGG },
    { name: 'scenario outcomes', fragment: profile.accountOutcomes(accounts, date) },
    { name: 'user packages after', fragment: profile.userPackages(accounts) },
    { name: 'every account, comparable with production', fragment: profile.comparableAccounts(tsqlDialect, date), unparsable: STRING_AGG },
    { name: 'event log since the bill run', fragment: profile.eventLogSince(`${date}T00:00:00.000Z`) },
    { name: 'latest bill run', fragment: profile.latestBillRun(tsqlDialect, date) },
    { name: 'settings values (hosts to sinkhole)', fragment: profile.settingValues() },
    { name: 'role permissions', fragment: profile.rolePermissions() },
    { name: 'roles', fragment: profile.roles() },
    { name: 'invoices billed in this run', fragment: profile.billedInvoices(date) },
    { name: 'gateway settings', fragment: profile.gatewaySettings() },
    { name: 'processors to charge', fragment: profile.processorsToCharge(date) },
    { name: 'accounts due (baseline)', fragment: profile.accountsDueCount(date) },
    { name: 'accounts invoiced for the bill date', fragment: profile.invoicedAccountsCount(date) },
    { name: 'due accounts not invoiced', fragment: profile.dueAccountsNotInvoiced(tsqlDialect, date, 50) },
  ];
  const mismatch = goldenMismatch('verify.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'verify.sql matches tests/golden/tsql/verify.sql');
  for (const { name, fragment, unparsable } of statements) {
    const { text, params } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `${name}: no constructs from other dialects`);
    for (const account of accounts) t.notOk(text.includes(account), `${name}: account ${account} is a parameter, not text`);
    t.notOk(text.includes(date), `${name}: the bill date is a parameter, not text`);
    if (text.includes('@p')) t.ok(Object.keys(params).length > 0, `${name}: parameters are bound`);
    const parseError = tsqlParseError(text);
    if (unparsable === undefined) t.equal(parseError, undefined, `${name}: parses as T-SQL`);
    else t.not(parseError, undefined, `${name}: still beyond node-sql-parser (${unparsable})`);
  }
});
