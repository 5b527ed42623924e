import t from 'tap';
import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { silentProgress } from '../../src/ui/progress.js';
import { restoreSqliteFile } from '../../src/stages/restore-sqlite.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const plan = loadPlan(dir.write('plan.yaml', validPlanText()));
const snapshot = join(dir.dir, 'snapshot.db');

function makeSnapshot(): void {
  const db = new Database(snapshot);
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, notes TEXT)');
  const insert = db.prepare('INSERT INTO accounts (notes) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`account ${i} `.repeat(8));
  })();
  db.close();
}

async function restoreOnce(runId: string): Promise<string> {
  const ctx: RunContext = { plan, run: createRunFolder(plan.report.dir, plan.file, runId), progress: silentProgress, checks: [] };
  try {
    return await restoreSqliteFile(ctx, snapshot);
  } finally {
    await ctx.engine?.close();
  }
}

t.test('a snapshot is integrity-checked once per version of the file, and a damaged one stops the restore', async (t) => {
  const { rmSync } = await import('node:fs');
  rmSync(snapshot, { force: true });
  makeSnapshot();
  t.match(await restoreOnce('first'), /; integrity checked$/, 'the first restore checks');
  t.match(await restoreOnce('second'), /integrity checked \d{4}-\d\d-\d\dT.*, file unchanged since/, 'an unchanged file is not checked again');

  // Garbage in the middle of a table page: the header still says SQLite, only the check can tell.
  const fd = openSync(snapshot, 'r+');
  writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 4096 * 3 + 200);
  closeSync(fd);
  await t.rejects(restoreOnce('third'), { name: 'UserError', message: /The snapshot .*snapshot\.db is damaged \(SQLite quick_check: .+\)\. Take the backup again\./ }, 'the changed file is checked again and refused');
});
