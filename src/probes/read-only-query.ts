import { SqliteEngine } from '../engine/sqlite.js';
import type { Row } from '../engine/types.js';
import { QueryTemplate } from '../platform/query-template.js';
import type { ProbeRunContext } from './context.js';
import { selectOnlyProblem } from './select-only.js';

/** Thrown inside the SQL Server transaction so it always rolls back, whatever the query did. */
class RollBack extends Error {}

/**
 * One SELECT against the billed copy through the engine, read-only on both engines: refused
 * unless it is a single SELECT (checked again here, not only at load); on SQLite run on a
 * connection opened read-only and only if SQLite itself says the statement only reads; on SQL
 * Server inside a transaction that is always rolled back. `:billDate` and `:account` are bound.
 */
export async function readOnlyQuery(query: string, ctx: ProbeRunContext, what?: string): Promise<{ rows: Row[] } | { refused: string }> {
  const problem = selectOnlyProblem(query, what);
  if (problem !== undefined) return { refused: problem.detail };
  const statement = new QueryTemplate(query).bind({ billDate: ctx.variables.billDate ?? '', account: ctx.variables.account ?? '' });
  if (ctx.databasePath !== undefined) {
    const readOnly = SqliteEngine.open(ctx.databasePath, { readonly: true });
    try {
      if (!readOnly.connection.prepare(readOnly.dialect.render(statement).text).readonly) return { refused: 'SQLite says this statement would write' };
      return { rows: await readOnly.query(statement) };
    } finally {
      await readOnly.close();
    }
  }
  let read: Row[] = [];
  await ctx.engine
    .transaction(async (tx) => {
      read = await tx.query(statement);
      throw new RollBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
  return { rows: read };
}
