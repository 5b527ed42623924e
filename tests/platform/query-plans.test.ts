import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { Profile } from '../../src/platform/profile.js';
import { SAMPLE_PARAMETERS } from '../../src/platform/dry-run.js';
import { describeQuadraticPlan, findQuadraticPlans } from '../../src/platform/query-plans.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { rehearseHere } from '../helpers/cli-in-process.js';
import { makePlanDir, PROJECT_ROOT, validPlanText } from '../helpers/plan-fixture.js';

/** The sample's adapter standing alone in a test folder (a declared driver instead of its module). */
const SAMPLE = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8')
  .replace(/driver:\n {2}kind: module\n {2}module: \.\/driver\.ts\n/, `driver:\n  kind: commands\n  begin: { run: "true" }\n  status: { run: "true" }\n`)
  .replace(/generator: \{[^}]*\}\n/, '');

/** The sample's `invoicesMarkedMailed` before 7b2c526: a NOT EXISTS per invoice over the unindexed event log (16 of verify's 28 s at 100k). */
const CORRELATED_SCAN = `    WHERE i.bill_date = :billDate AND NOT EXISTS (
      SELECT 1 FROM event_log e WHERE e.account_id = i.account_id AND e.module = 'Email' AND e.result = 'failed' AND e.message LIKE concat(i.invoice_number, '%'))
`;
const CURRENT = / {4}WHERE i\.bill_date = :billDate AND i\.id NOT IN \(\n.*\n.*\n/;

function adapterDir(t: Test, text: string): string {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'adapter.yaml'), text);
  return dir;
}

function tinyEngine(t: Test): SqliteEngine {
  const tiny = makeTinyDatabase();
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  t.teardown(async () => {
    await engine.close();
    tiny.cleanup();
  });
  return engine;
}

t.test('a correlated subquery that scans a whole table per outer row is found, named and located', async (t) => {
  t.match(SAMPLE, CURRENT, "the sample's current query is the one replaced here");
  const text = SAMPLE.replace(CURRENT, CORRELATED_SCAN);
  const adapter = loadAdapter(adapterDir(t, text));
  const found = await findQuadraticPlans(tinyEngine(t), new Profile(adapter), SAMPLE_PARAMETERS);
  t.equal(found.length, 1, 'one query, one scan');
  const line = text.slice(0, text.indexOf('SELECT 1 FROM event_log e')).split('\n').length;
  const column = (text.split('\n')[line - 1] ?? '').indexOf('event_log') + 1;
  t.match(found[0], { concept: 'invoicesMarkedMailed', table: 'event_log', rows: 1, kind: 'correlated', at: `${adapter.file}:${line}:${column}` });
  t.match(found[0]?.plan.join(' → '), /^CORRELATED SCALAR SUBQUERY \d+ → SCAN e$/);
  const message = describeQuadraticPlan(found[0]!);
  t.match(message, `adapter.yaml:${line}:${column}: concept \`invoicesMarkedMailed\`: a correlated subquery reads all of \`event_log\` (1 row here) once for every row of the outer query`);
  t.match(message, 'Rewrite it as one uncorrelated IN or a join on an indexed column, or index the column it looks up by.');
});

t.test("a join whose inner loop scans a whole table is found; the sample's own queries have neither", async (t) => {
  const engine = tinyEngine(t);
  t.same(await findQuadraticPlans(engine, new Profile(loadAdapter(adapterDir(t, SAMPLE))), SAMPLE_PARAMETERS), [], 'the shipped sample adapter: no finding');
  // A join on a pattern no index can serve: every event is read again for every role.
  const nested = SAMPLE.replace('SELECT name AS role FROM roles', "SELECT r.name AS role FROM roles r JOIN event_log AS ev ON ev.message LIKE '%' || r.name || '%'");
  const found = await findQuadraticPlans(engine, new Profile(loadAdapter(adapterDir(t, nested))), SAMPLE_PARAMETERS);
  t.match(found, [{ concept: 'roles', table: 'event_log', kind: 'nested' }]);
  t.match(found[0]?.plan.join(' → '), /^SCAN r → SCAN ev$|^SCAN ev → SCAN r$/);
});

t.test("the EngageIP-shaped adapter's queries on its own schema: no finding (pool members are indexed by pool)", async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'engageip-shaped.db');
  const db = new Database(path);
  db.exec(readFileSync(join(PROJECT_ROOT, 'engageip-shaped-platform/schema/schema.sql'), 'utf8'));
  db.close();
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const profile = new Profile(loadAdapter(join(PROJECT_ROOT, 'platforms/engageip-shaped')));
  t.same(await findQuadraticPlans(engine, profile, SAMPLE_PARAMETERS), []);
  const unindexed = new Database(path);
  unindexed.exec('DROP INDEX [IX_BucketPoolGroupMember_BucketPoolGroupID]');
  unindexed.close();
  const again = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => again.close());
  t.match(await findQuadraticPlans(again, profile, SAMPLE_PARAMETERS), [{ concept: 'pools', table: 'BucketPoolGroupMember', kind: 'correlated' }], 'without the index, `pools` scans every member once per pool');
});

t.test('`rehearse adapter check --against` prints the finding as a warning and still exits 0; a clean adapter says so', async (t) => {
  const plans = makePlanDir();
  t.teardown(() => plans.cleanup());
  const plan = plans.write('plan.yaml', validPlanText());
  const warned = await rehearseHere(['adapter', 'check', adapterDir(t, SAMPLE.replace(CURRENT, CORRELATED_SCAN)), '--against', plan]);
  t.equal(warned.code, 0, warned.stderr);
  t.match(warned.stdout, /warning: .*adapter\.yaml:\d+:\d+: concept `invoicesMarkedMailed`: a correlated subquery reads all of `event_log`/);
  const json = await rehearseHere(['--json', 'adapter', 'check', adapterDir(t, SAMPLE.replace(CURRENT, CORRELATED_SCAN)), '--against', plan]);
  t.match(JSON.parse(json.stdout), { quadraticPlans: [{ concept: 'invoicesMarkedMailed', table: 'event_log', kind: 'correlated' }] });
  const clean = await rehearseHere(['adapter', 'check', join(PROJECT_ROOT, 'platforms/sample'), '--against', plan]);
  t.equal(clean.code, 0, clean.stderr);
  t.match(clean.stdout, 'no query plan reads a whole table once per row of another (SQLite planner)');
  t.notMatch(clean.stdout, 'warning:');
});
