import type { RunContext } from '../pipeline/context.js';
import { restoreSqliteFile } from './restore-sqlite.js';
import { restoreOnSqlServer } from './restore-sql-server.js';
import { assertSourcesUnchanged, recordSources, sourceFiles } from '../run/source-identity.js';

/** Restores the plan's snapshot on its engine into a copy that only this run may write to. */
export async function restore(ctx: RunContext): Promise<string> {
  const { snapshot } = ctx.plan;
  const sources = sourceFiles(ctx.plan);
  recordSources(sources, ctx.run.dir);
  const detail = snapshot.kind === 'sqlite-file' ? await restoreSqliteFile(ctx, snapshot.path) : await restoreOnSqlServer(ctx);
  assertSourcesUnchanged(sources, ctx.run.dir, 'After the restore');
  return detail;
}
