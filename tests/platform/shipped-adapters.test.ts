import t from 'tap';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { Profile } from '../../src/platform/profile.js';
import { CONCEPT_NAMES } from '../../src/platform/concepts.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from '../mssql/golden.js';
import { QueryTemplate } from '../../src/platform/query-template.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * Every adapter shipped under platforms/ is valid, and its SQL Server queries are T-SQL that
 * parses (no server here: the golden file is what a reviewer reads). The unconfirmed EngageIP
 * adapter is checked the same way; that it matches a real EngageIP is not verified by anything here.
 */
const root = join(PROJECT_ROOT, 'platforms');
const shipped = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());
const parameters = { billDate: '2026-11-01', billMonth: '2026-11', since: '2026-11-01T00:00:00.000Z' };

t.ok(shipped.includes('sample') && shipped.includes('engageip'), 'the sample and EngageIP adapters ship');

for (const name of shipped) {
  t.test(`platforms/${name} is a valid adapter whose T-SQL lints and parses`, async (t) => {
    const adapter = loadAdapter(join(root, name));
    t.equal(adapter.name, name, 'the adapter is named after its folder');
    if (!adapter.engines.includes('mssql')) return;
    const profile = new Profile(adapter);
    for (const concept of CONCEPT_NAMES.filter((c) => profile.has(c))) {
      const { text } = tsqlDialect.render(profile.fragment(concept, tsqlDialect, parameters));
      t.same(findNonTsql(text), [], `${concept}: no constructs from other dialects`);
      if (!text.includes('STRING_AGG')) t.equal(tsqlParseError(text), undefined, `${concept}: parses as T-SQL`);
    }
  });
}

t.test("golden T-SQL of the EngageIP adapter's queries", async (t) => {
  const profile = new Profile(loadAdapter(join(root, 'engageip')));
  const statements: GoldenStatement[] = CONCEPT_NAMES.filter((c) => profile.has(c)).map((concept) => ({ name: concept, fragment: profile.fragment(concept, tsqlDialect, parameters) }));
  const mismatch = goldenMismatch('engageip-profile.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'engageip-profile.sql matches tests/golden/tsql/engageip-profile.sql');
});

t.test("golden T-SQL of the EngageIP-shaped stand-in's queries and its sql driver's steps", async (t) => {
  const adapter = loadAdapter(join(root, 'engageip-shaped'));
  const profile = new Profile(adapter);
  const statements: GoldenStatement[] = CONCEPT_NAMES.filter((c) => profile.has(c)).map((concept) => ({ name: concept, fragment: profile.fragment(concept, tsqlDialect, parameters) }));
  t.equal(statements.length, CONCEPT_NAMES.length, 'the stand-in answers every concept');
  const stepValues = { billDate: '2026-11-01', emailInvoices: 'true', chargeAutoPay: 'true', provision: 'true', configuration: '{"Invoice.ShowServicePeriod":"True"}' };
  for (const step of ['begin', 'status'] as const) {
    const sql = adapter.driver[step];
    if (sql === undefined || !('sql' in sql)) throw new Error(`the stand-in's driver has no sql ${step} step`);
    const fragment = new QueryTemplate(sql.sql).bind(stepValues);
    const { text } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `driver.${step}: no constructs from other dialects`);
    t.equal(tsqlParseError(text), undefined, `driver.${step}: parses as T-SQL`);
    statements.push({ name: `driver.${step}`, fragment });
  }
  const mismatch = goldenMismatch('engageip-shaped-profile.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'engageip-shaped-profile.sql matches tests/golden/tsql/engageip-shaped-profile.sql');
});
