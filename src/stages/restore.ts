import type { RunContext } from '../pipeline/context.js';
import { restoreSqliteFile } from './restore-sqlite.js';
import { restoreOnSqlServer } from './restore-sql-server.js';
import { snapshotSelectionCheck } from '../checks/snapshot-selection.js';
import { assertSourcesUnchanged, recordSources, sourceFiles } from '../run/source-identity.js';

/** Restores the plan's snapshot on its engine into a copy that only this run may write to. */
export async function restore(ctx: RunContext): Promise<string> {
  const { snapshot, snapshotSelection } = ctx.plan;
  if (snapshot.kind === 'catalogue') throw new Error('unreachable: pre-flight replaces a snapshot catalogue by the backup it picks');
  // The picked backup is a source like any other: its identity is recorded and checked below.
  const sources = sourceFiles(ctx.plan);
  recordSources(sources, ctx.run.dir);
  const detail = snapshot.kind === 'sqlite-file' ? await restoreSqliteFile(ctx, snapshot.path) : await restoreOnSqlServer(ctx);
  assertSourcesUnchanged(sources, ctx.run.dir, 'After the restore');
  if (snapshotSelection !== undefined) ctx.checks.push(snapshotSelectionCheck(snapshotSelection));
  return detail;
}
