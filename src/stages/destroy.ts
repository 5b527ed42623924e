import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namespaceNameFor } from '../sandbox/namespace.js';
import { destroySandbox } from '../sandbox/sandbox.js';
import { isProcessAlive } from '../run/process-alive.js';
import { openRunFolder, removeWorkDir, type RunFolder } from '../run/run-folder.js';
import { dropSqlServerCopies } from './drop-sql-server-copies.js';

/**
 * Removes a run's billing service and sandbox but keeps its database copy and state, so the run
 * can be resumed. Safe to call when nothing is left.
 */
export async function teardownSandbox(run: RunFolder): Promise<string[]> {
  const removed: string[] = [];
  const pid = run.state.servicePid;
  if (pid !== undefined && isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    removed.push(`billing service (pid ${pid})`);
  }
  removed.push(...(await destroySandbox(run.state.namespace ?? namespaceNameFor(run.runId))));
  run.state.servicePid = undefined;
  run.save();
  return removed;
}

/**
 * Removes everything a run created except its report: the billing service, the namespace, the
 * work folder with the database copy and the SQL Server databases it restored. Safe to run
 * twice, and on a run that was killed.
 */
export async function destroyRun(run: RunFolder): Promise<string[]> {
  const removed = await teardownSandbox(run);
  removed.push(...(await dropSqlServerCopies(run)));
  removeWorkDir(run);
  // The ledger stays as evidence; the per-run TLS keys and the sinkhole settings go.
  rmSync(join(run.dir, 'sandbox', 'ca'), { recursive: true, force: true });
  rmSync(join(run.dir, 'sandbox', 'sinkholes.json'), { force: true });
  run.state.destroyedAt = new Date().toISOString();
  run.save();
  return removed;
}

/**
 * Runs in `reportsDir` whose owning process is gone (killed with -9) but were never destroyed:
 * their namespace, service and work folder are removed. Runs still owned by a live process are
 * left alone, so two rehearsals side by side never tear each other down.
 */
export async function sweepDeadRuns(reportsDir: string): Promise<string[]> {
  if (!existsSync(reportsDir)) return [];
  const swept: string[] = [];
  for (const entry of readdirSync(reportsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(reportsDir, entry.name, 'state.json'))) continue;
    const run = openRunFolder(reportsDir, entry.name);
    // A run kept for resume has no sandbox left, only its database copy, which the resume needs.
    if (run.state.destroyedAt !== undefined || run.state.keptForResume === true || isProcessAlive(run.state.ownerPid)) continue;
    const removed = await destroyRun(run);
    if (removed.length > 0) swept.push(`${run.runId}: ${removed.join(', ')}`);
  }
  return swept;
}
