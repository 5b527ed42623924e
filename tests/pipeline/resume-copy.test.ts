import t from 'tap';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { planResume } from '../../src/pipeline/resume.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { fileSha256 } from '../../src/run/file-sha256.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const plan = loadPlan(dir.write('plan.yaml', validPlanText()));

/** A run whose restore passed, with its copy marked and fingerprinted as the runner records it. */
async function restoredRun(runId: string) {
  const run = createRunFolder(plan.report.dir, plan.file, runId);
  const copy = join(run.workDir, 'rehearsal.db');
  new Database(copy).close();
  const engine = SqliteEngine.open(copy);
  await writeRunMarker(engine, { runId, createdAt: new Date().toISOString(), source: 'test' });
  await engine.close();
  run.state.databasePath = copy;
  run.state.completed = { restore: { durationMs: 1, finishedAt: new Date().toISOString(), checks: [], databaseSha256: fileSha256(copy) } };
  run.save();
  return { run, copy };
}

t.test('resume keeps a copy only while it is there, marked and unchanged', async (t) => {
  const kept = await restoredRun('kept');
  t.ok((await planResume(kept.run, plan)).reuse.has('restore'), 'an untouched copy is kept');

  const gone = await restoredRun('gone');
  rmSync(gone.copy);
  const afterRemoval = await planResume(gone.run, plan);
  t.notOk(afterRemoval.reuse.has('restore'));
  t.match(afterRemoval.redo.join('\n'), /the database copy is gone: restoring again/, 'a removed copy is restored again, not an error');

  const changed = await restoredRun('changed');
  const db = new Database(changed.copy);
  db.exec('CREATE TABLE tampered (x)');
  db.close();
  t.match((await planResume(changed.run, plan)).redo.join('\n'), /the database copy changed after restore passed/);

  const swapped = await restoredRun('swapped');
  rmSync(swapped.copy);
  new Database(swapped.copy).close();
  t.match((await planResume(swapped.run, plan)).redo.join('\n'), /carries no run marker/, 'a copy without this run marker is never trusted');
});
