import type { RunContext } from '../pipeline/context.js';
import { restoreSqliteFile } from './restore-sqlite.js';
import { restoreOnSqlServer } from './restore-sql-server.js';

/** Restores the plan's snapshot on its engine into a copy that only this run may write to. */
export async function restore(ctx: RunContext): Promise<string> {
  const { snapshot } = ctx.plan;
  return snapshot.kind === 'sqlite-file' ? restoreSqliteFile(ctx, snapshot.path) : restoreOnSqlServer(ctx);
}
