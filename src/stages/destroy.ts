import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namespaceNameFor } from '../sandbox/namespace.js';
import { destroySandbox } from '../sandbox/sandbox.js';
import { isProcessAlive } from '../run/process-alive.js';
import { openRunFolder, removeWorkDir, saveDuringCleanup, type RunFolder } from '../run/run-folder.js';
import { dropSqlServerCopies } from './drop-sql-server-copies.js';

/** Told what a cleanup could not record (full disk, read-only file system); the cleanup goes on. */
export type CleanupWarning = (message: string) => void;

const ignoreWarning: CleanupWarning = () => undefined;

/** Stages whose result is in the database copy or was built on it. */
const STAGES_ON_THE_COPY = ['restore', 'sanitize', 'prove', 'bill-run', 'verify'] as const;

/** Kills the billing service and removes the sandbox (every process in its namespace); records nothing. */
async function stopServiceAndSandbox(run: RunFolder): Promise<string[]> {
  const removed: string[] = [];
  const pid = run.state.servicePid;
  if (pid !== undefined && isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    removed.push(`billing service (pid ${pid})`);
  }
  removed.push(...(await destroySandbox(run.state.namespace ?? namespaceNameFor(run.runId))));
  run.state.servicePid = undefined;
  return removed;
}

/**
 * Removes a run's billing service and sandbox but keeps its database copy and state, so the run
 * can be resumed. Safe to call when nothing is left.
 */
export async function teardownSandbox(run: RunFolder, warn: CleanupWarning = ignoreWarning): Promise<string[]> {
  const removed = await stopServiceAndSandbox(run);
  saveDuringCleanup(run, warn);
  return removed;
}

/**
 * Deletes the run's database copy (everything in `work/`, where a SQLite copy is made, partial
 * ones included; or the SQL Server databases it restored) and forgets every stage that built on
 * it, so a resume restores again. Returns what it removed, and whether a copy is left (a SQL
 * Server copy that could not be dropped).
 */
export async function deleteDatabaseCopy(run: RunFolder, warn: CleanupWarning = ignoreWarning): Promise<{ removed: string[]; copyLeft: boolean }> {
  const removed: string[] = [];
  const files = existsSync(run.workDir) ? readdirSync(run.workDir) : [];
  if (files.length > 0) {
    removeWorkDir(run);
    mkdirSync(run.workDir, { recursive: true });
    removed.push(`database copy in ${run.workDir} (${files.join(', ')})`);
  }
  removed.push(...(await dropSqlServerCopies(run)));
  run.state.databasePath = undefined;
  const completed = run.state.completed ?? {};
  for (const name of STAGES_ON_THE_COPY) delete completed[name];
  run.state.completed = completed;
  run.state.sanitizeProofPassed = false;
  saveDuringCleanup(run, warn);
  return { removed, copyLeft: (run.state.sqlServerCopies ?? []).some((c) => c.createdByRun) };
}

/**
 * Removes everything a run created except its report: the billing service, every process in the
 * namespace, the work folder with the database copy and the SQL Server databases it restored.
 * Everything is deleted before anything is recorded, and a state that cannot be written (full
 * disk, read-only) is a warning, not a stop. The run is marked removed, so it is never resumed.
 * Safe to run twice, and on a run that was killed.
 */
export async function destroyRun(run: RunFolder, warn: CleanupWarning = ignoreWarning): Promise<string[]> {
  const removed = await stopServiceAndSandbox(run);
  removed.push(...(await dropSqlServerCopies(run)));
  if (existsSync(run.workDir)) {
    removeWorkDir(run);
    removed.push(`work folder ${run.workDir}${run.state.databasePath !== undefined ? ' (with the database copy)' : ''}`);
  }
  // The ledger stays as evidence; the per-run TLS keys and the sinkhole settings go.
  const keys = join(run.dir, 'sandbox', 'ca');
  if (existsSync(keys)) {
    rmSync(keys, { recursive: true, force: true });
    removed.push(`TLS keys of the run (${keys})`);
  }
  rmSync(join(run.dir, 'sandbox', 'sinkholes.json'), { force: true });
  run.state.databasePath = undefined;
  run.state.keptForResume = false;
  run.state.destroyedAt ??= new Date().toISOString();
  saveDuringCleanup(run, warn);
  return removed;
}

/**
 * Runs in `reportsDir` whose owning process is gone (killed with -9) but were never destroyed:
 * their namespace, service and work folder are removed. Runs still owned by a live process are
 * left alone, so two rehearsals side by side never tear each other down.
 */
export async function sweepDeadRuns(reportsDir: string, warn: CleanupWarning = ignoreWarning): Promise<string[]> {
  if (!existsSync(reportsDir)) return [];
  const swept: string[] = [];
  for (const entry of readdirSync(reportsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(reportsDir, entry.name, 'state.json'))) continue;
    const run = openRunFolder(reportsDir, entry.name);
    // A run kept for resume has no sandbox left, only its database copy, which the resume needs.
    if (run.state.destroyedAt !== undefined || run.state.keptForResume === true || isProcessAlive(run.state.ownerPid)) continue;
    const removed = await destroyRun(run, warn);
    if (removed.length > 0) swept.push(`${run.runId}: ${removed.join(', ')}`);
  }
  return swept;
}
