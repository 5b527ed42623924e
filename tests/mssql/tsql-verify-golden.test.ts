import t from 'tap';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { CONCEPT_NAMES, type ConceptName } from '../../src/platform/concepts.js';
import { Profile } from '../../src/platform/profile.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from './golden.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * The sample adapter's profile queries as the SQL Server engine would send them, for the example
 * plan: the plan's own values (bill date, scenario accounts) must appear only as parameters.
 */
const plan = loadPlan(join(PROJECT_ROOT, 'plans/example-local.yaml'));
const profile = new Profile(plan.platform.adapter);
const accounts = plan.scenarios.map((s) => s.account);
const date = plan.billRun.date;
const parameters = { billDate: date, billMonth: date.slice(0, 7), since: `${date}T00:00:00.000Z` };
const STRING_AGG = 'node-sql-parser 5.4 transactsql does not know STRING_AGG ... WITHIN GROUP';
const UNPARSABLE: Partial<Record<ConceptName, string>> = { comparableAccounts: STRING_AGG, accountFeatures: STRING_AGG };
const NARROWED: readonly ConceptName[] = ['duePackages', 'userPackages', 'pools', 'accountOutcomes'];
const FIRST: Partial<Record<ConceptName, number>> = { billRuns: 1, dueAccountsNotInvoiced: 50 };

t.test("golden T-SQL of the sample adapter's profile queries", async (t) => {
  const statements: (GoldenStatement & { concept: ConceptName })[] = CONCEPT_NAMES.filter((c) => profile.has(c)).map((concept) => ({
    concept,
    name: concept,
    fragment: profile.fragment(concept, tsqlDialect, parameters, {
      ...(NARROWED.includes(concept) ? { accounts } : {}),
      ...(FIRST[concept] !== undefined ? { first: FIRST[concept] } : {}),
    }),
    ...(UNPARSABLE[concept] !== undefined ? { unparsable: UNPARSABLE[concept] } : {}),
  }));
  t.equal(statements.length, CONCEPT_NAMES.length, 'the sample adapter defines every concept');
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
