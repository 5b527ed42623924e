import t from 'tap';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { runVendorScripts } from '../../src/sanitize/vendor-scripts.js';
import { loadPlan } from '../../src/plan/load.js';
import { UserError } from '../../src/errors.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { readColumn as read, makeTinyDatabase, contentHash } from '../helpers/tiny-db.js';

const RUN_ID = 'vendor-run-1';

async function markedTinyEngine(t: { teardown(fn: () => unknown): void }) {
  const db = makeTinyDatabase();
  const engine = SqliteEngine.open(db.path);
  t.teardown(async () => {
    await engine.close();
    db.cleanup();
  });
  await writeRunMarker(engine, { runId: RUN_ID, createdAt: 'now', source: 'tiny' });
  return { engine, path: db.path, dir: db.dir };
}

t.test('the shipped rule set runs its vendor script after the rules, and the report lists rows per batch', async (t) => {
  const { engine, path, dir } = await markedTinyEngine(t);
  engine.connection.exec("UPDATE accounts SET status = 'cancelled', notes = 'collections: called twice' WHERE id = 2");
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  const plan = loadPlan(planDir.write('plan.yaml', validPlanText()));
  const ctx: RunContext = {
    plan,
    run: { runId: RUN_ID, dir, workDir: dir, state: { runId: RUN_ID, planFile: 'p', createdAt: '', ownerPid: process.pid }, save() {} },
    progress: silentProgress,
    engine,
    checks: [],
  };
  const detail = await sanitize(ctx);
  t.match(detail, /1 vendor script; proof passed/);
  t.same(read(path, 'SELECT notes FROM accounts WHERE id = 2'), [null], 'the script cleared the cancelled account\'s notes');
  t.not(read(path, 'SELECT notes FROM accounts WHERE id = 1')[0], null, 'active accounts keep their (masked) notes');
  const check = ctx.checks.find((c) => c.id === 'sanitize-vendor-scripts');
  t.same(check?.evidence, [{ script: '10-clear-cancelled-notes.sql', batch: 1, line: 1, rows: 1 }]);
});

t.test('vendor scripts run in the declared order, each file as one transaction', async (t) => {
  const { engine, path } = await markedTinyEngine(t);
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  const first = planDir.write('10-first.sql', "CREATE TABLE vendor_steps (step TEXT);\nINSERT INTO vendor_steps VALUES ('first');\n");
  const second = planDir.write('20-second.sql', "INSERT INTO vendor_steps SELECT 'second after ' || step FROM vendor_steps;\nUPDATE owners SET name = 'Reseller';\n");
  const results = await runVendorScripts(engine, RUN_ID, [first, second]);
  t.same(read(path, 'SELECT step FROM vendor_steps ORDER BY rowid'), ['first', 'second after first']);
  t.same(
    results.map((r) => [r.batch, r.rowsAffected]),
    [
      [1, 1],
      [1, 2],
    ],
    'rows affected per batch',
  );
});

t.test('a failing vendor script names its file and line and leaves that file\'s changes rolled back', async (t) => {
  const { engine, path } = await markedTinyEngine(t);
  const planDir = makePlanDir();
  t.teardown(() => planDir.cleanup());
  const broken = planDir.write('30-broken.sql', "UPDATE owners SET name = 'half done';\nGO\nUPDATE no_such_table SET x = 1;\n");
  const before = contentHash(path);
  const failure = (await runVendorScripts(engine, RUN_ID, [broken]).catch((e: unknown) => e)) as Error;
  t.type(failure, UserError);
  t.match(failure.message, /^Vendor script 30-broken\.sql failed in batch 2 at line 3 \(.*30-broken\.sql:3:1\): no such table: no_such_table/);
  t.match(failure.message, /whole file was rolled back/);
  t.equal(contentHash(path), before, 'the first batch of the failed file was rolled back too');
});
