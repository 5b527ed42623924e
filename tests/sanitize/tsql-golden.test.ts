import t from 'tap';
import { join } from 'node:path';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { scanTsql } from '../../src/sql/tsql-lexer.js';
import { loadRuleSet } from '../../src/sanitize/rules.js';
import { createMasker, type Masker } from '../../src/sanitize/maskers.js';
import { dropFakeValueTables, updateFor } from '../../src/sanitize/apply.js';
import { fakeValueStatements } from '../../src/sanitize/fake-value-tables.js';
import { tsqlMaskOps } from '../../src/sanitize/mask-sql.js';
import { RecordingEngine } from '../mssql/recording-engine.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from '../mssql/golden.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

const SAFE_DOMAIN = 'rehearsal.invalid';
const RULES = join(PROJECT_ROOT, 'sanitize/sample-platform.yaml');
/** node-sql-parser 5.4's transactsql grammar stops at these; the statements are checked by the golden file and the lint. */
const BEYOND_PARSER = 'node-sql-parser 5.4 transactsql does not know HASHBYTES/TRANSLATE/CAST(... AS VARBINARY(MAX)) in this shape';

/** A fixed test secret (never a real one), with two fake values per kind so the golden file stays readable. */
function goldenMasker(): Masker {
  const masker = createMasker(Buffer.from('golden-test-secret'), SAFE_DOMAIN);
  const short = Object.fromEntries(Object.entries(masker.keys.fakeValues).map(([kind, values]) => [kind, values.slice(0, 2)]));
  return { ...masker, keys: { ...masker.keys, fakeValues: short as unknown as Masker['keys']['fakeValues'] } };
}

async function dropStatements(): Promise<GoldenStatement[]> {
  const recorder = new RecordingEngine();
  await dropFakeValueTables(recorder);
  return recorder.statements.map((fragment, i) => ({ name: `drop fake-value table ${i + 1}`, fragment }));
}

t.test('the shipped rule set compiles to the golden T-SQL, free of other dialects, every user value a parameter', async (t) => {
  const ruleSet = loadRuleSet(RULES);
  const masker = goldenMasker();
  const ops = tsqlMaskOps(masker.keys.secretKeys);
  const updates: GoldenStatement[] = ruleSet.rules.map((rule) => ({
    name: `rule ${rule.index + 1}: ${rule.table}`,
    fragment: updateFor(rule, { ops, safeDomain: SAFE_DOMAIN }),
    ...(rule.columns.every((c) => ['constant', 'null', 'keep'].includes(c.strategy.kind)) ? {} : { unparsable: BEYOND_PARSER }),
  }));
  const fakeTables: GoldenStatement[] = fakeValueStatements('tsql', masker).map((fragment, i) => ({ name: `fake values ${i + 1}`, fragment }));
  const statements = [...(await dropStatements()), ...fakeTables, ...updates];
  const mismatch = goldenMismatch('sanitize-rules.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/sanitize-rules.sql');

  const userValues = ruleSet.rules.flatMap((rule) => [
    ...rule.columns.flatMap((c) => (c.strategy.kind === 'constant' ? [c.strategy.value] : [])),
    ...rule.filters.flatMap((f) => (f.op === 'in' ? f.values : [f.value])),
  ]);
  for (const { name, fragment, unparsable } of statements) {
    const { text, params } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `${name}: no constructs from other dialects`);
    const parseError = tsqlParseError(text);
    if (unparsable === undefined) t.equal(parseError, undefined, `${name}: parses as T-SQL`);
    const literals = scanTsql(text)
      .filter((s) => s.kind !== 'code' && s.kind !== 'bracketed')
      .map((s) => text.slice(s.start, s.end));
    for (const value of userValues) t.notOk(literals.some((l) => l.includes(String(value))), `${name}: ${JSON.stringify(value)} is not spliced into the text`);
    if (text.includes('@')) t.ok(Object.keys(params).length > 0, `${name}: has parameters`);
  }
  const allParams = statements.flatMap(({ fragment }) => Object.values(tsqlDialect.render(fragment).params));
  for (const value of [...userValues, SAFE_DOMAIN]) t.ok(allParams.includes(value), `${JSON.stringify(value)} is sent as a parameter`);
  for (const key of Object.values(masker.keys.secretKeys)) t.ok(allParams.some((p) => Buffer.isBuffer(p) && p.equals(key)), 'hash keys are parameters');
});
