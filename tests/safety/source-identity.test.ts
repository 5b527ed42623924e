import t from 'tap';
import { copyFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertSourcesUnchanged, fileIdentity, recordSources, sourceFiles } from '../../src/run/source-identity.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { restore } from '../../src/stages/restore.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { runStage } from '../../src/pipeline/stage-runner.js';
import { loadPlan } from '../../src/plan/load.js';
import { ExitCode, SafetyError } from '../../src/errors.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';

/** A plan folder whose snapshot and production result are real (tiny) SQLite databases. */
function sources(t: { teardown(fn: () => unknown): void }) {
  const plans = makePlanDir();
  const tiny = makeTinyDatabase();
  t.teardown(() => {
    plans.cleanup();
    tiny.cleanup();
  });
  const snapshot = join(plans.dir, 'snapshot.db');
  const productionResult = join(plans.dir, 'production-result.db');
  copyFileSync(tiny.path, snapshot);
  copyFileSync(tiny.path, productionResult);
  const plan = loadPlan(plans.write('plan.yaml', validPlanText()));
  return { plans, plan, snapshot, productionResult };
}

/** A write by someone else: one row. */
function writeAsSomeoneElse(path: string): void {
  const db = new Database(path);
  db.prepare("INSERT INTO owners (name) VALUES ('written by someone else')").run();
  db.close();
}

t.test('a write to production\'s result between restore and sanitize makes sanitize fail NO-GO, naming the file', async (t) => {
  const { plan, productionResult, snapshot } = sources(t);
  const run = createRunFolder(plan.report.dir, plan.file);
  const ctx: RunContext = { plan, run, progress: silentProgress, checks: [] };
  t.teardown(async () => ctx.engine?.close());
  const restored = await runStage(ctx, 'restore', restore);
  t.equal(restored.record.status, 'passed', restored.record.detail ?? '');
  t.same(sourceFiles(plan).map((s) => s.path), [snapshot, productionResult], 'both SQLite sources are watched');

  writeAsSomeoneElse(productionResult);
  const sanitized = await runStage(ctx, 'sanitize', sanitize);
  t.equal(sanitized.record.status, 'failed');
  t.equal(sanitized.exitCode, ExitCode.noGo, 'NO-GO, not bad input');
  t.match(sanitized.record.detail, `Before sanitize: the production result ${productionResult} changed (`);
  t.match(sanitized.record.detail, /header page content/);
  t.notOk(run.state.sanitizeProofPassed, 'no proof, so no bill run');
});

t.test('a restore done again records the sources afresh: everything after it is made again from them', async (t) => {
  const { plan, productionResult } = sources(t);
  const run = createRunFolder(plan.report.dir, plan.file);
  const ctx: RunContext = { plan, run, progress: silentProgress, checks: [] };
  t.teardown(async () => ctx.engine?.close());
  t.equal((await runStage(ctx, 'restore', restore)).record.status, 'passed');
  await ctx.engine?.close();
  writeAsSomeoneElse(productionResult);
  // A resumed run that restores again (its copy was not trusted) starts from the sources as they are now.
  run.state.databasePath = undefined;
  const again = await runStage(ctx, 'restore', (c) => {
    rmSync(join(run.workDir, 'rehearsal.db'), { force: true });
    return restore(c);
  });
  t.equal(again.record.status, 'passed', again.record.detail ?? '');
  t.equal((await runStage(ctx, 'sanitize', sanitize)).record.status, 'passed', 'sanitize checks against the new record');
});

t.test('a snapshot replaced by another file during a stage is caught at the stage\'s end', async (t) => {
  const { plan, snapshot, plans } = sources(t);
  const runDir = plans.dir;
  const files = sourceFiles(plan);
  recordSources(files, runDir);
  // Same bytes, same times, another inode: e.g. restored from a backup in between.
  const before = fileIdentity(snapshot);
  copyFileSync(snapshot, `${snapshot}.new`);
  renameSync(`${snapshot}.new`, snapshot);
  utimesSync(snapshot, statSync(snapshot).atime, new Date(Number(BigInt(before.mtimeNs) / 1_000_000n)));
  const failure = (() => {
    try {
      assertSourcesUnchanged(files, runDir, 'After the restore');
    } catch (error) {
      return error as Error;
    }
    return undefined;
  })();
  t.type(failure, SafetyError);
  t.match(failure?.message, `After the restore: the snapshot ${snapshot} changed (it is another file now (device or inode)`);
});

t.test('unchanged sources pass every check, and a removed one is named', async (t) => {
  const { plan, snapshot, plans } = sources(t);
  const files = sourceFiles(plan);
  for (const when of ['Before the restore', 'After the restore', 'Before sanitize', 'After sanitize']) {
    t.doesNotThrow(() => assertSourcesUnchanged(files, plans.dir, when), when);
  }
  renameSync(snapshot, `${snapshot}.moved`);
  t.throws(() => assertSourcesUnchanged(files, plans.dir, 'Before the bill run'), { name: 'SafetyError', message: `Before the bill run: the snapshot ${snapshot} is gone` });
});

t.test('an in-place write that keeps the size and the modification time is still caught (the first page changes)', async (t) => {
  const { plan, snapshot, plans } = sources(t);
  const files = sourceFiles(plan);
  // A whole second, so setting it back below restores it to the nanosecond.
  const wholeSecond = 1_790_000_000;
  utimesSync(snapshot, wholeSecond, wholeSecond);
  assertSourcesUnchanged(files, plans.dir, 'Before the restore');
  const { size } = statSync(snapshot);
  const db = new Database(snapshot);
  db.prepare("UPDATE owners SET name = 'Southwind' WHERE name = 'Northwind'").run();
  db.close();
  utimesSync(snapshot, wholeSecond, wholeSecond);
  t.equal(statSync(snapshot).size, size, 'same size');
  t.throws(() => assertSourcesUnchanged(files, plans.dir, 'After the restore'), { message: `the snapshot ${snapshot} changed (header page content)` });
});
