import type { Plan } from '../plan/types.js';
import type { RunState, SqlServerCopy } from '../run/run-folder.js';
import type { DatabaseEngine } from './types.js';
import { SqliteEngine } from './sqlite.js';
import { createMssqlEngine } from './mssql/engine.js';
import { planConnection } from './mssql/from-plan.js';

/** The SQL Server copy the run works on now (the newest it restored or attached; the state differential's extra databases aside). */
export function currentSqlServerCopy(state: RunState): SqlServerCopy | undefined {
  return state.sqlServerCopies?.filter((c) => c.role === undefined).at(-1);
}

/** The newest of the state differential's extra databases made from `of`, or undefined. */
export function sqlServerSideCopy(state: RunState, role: NonNullable<SqlServerCopy['role']>, of: string): SqlServerCopy | undefined {
  return state.sqlServerCopies?.filter((c) => c.role === role && c.of === of).at(-1);
}

/**
 * Opens the run's database copy on the plan's engine, or returns undefined when the run has none.
 * SQL Server connections pass the server-name guard in `planConnection` first.
 */
export async function openRunCopy(plan: Plan, state: RunState, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseEngine | undefined> {
  if (plan.database.engine === 'sqlite') return state.databasePath === undefined ? undefined : SqliteEngine.open(state.databasePath);
  const copy = currentSqlServerCopy(state);
  return copy === undefined ? undefined : createMssqlEngine({ ...planConnection(plan, env), database: copy.database });
}

/** Production's own result, only ever read: a read-only SQLite file, or a database on the rehearsal server. */
export async function openProductionResult(plan: Plan, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseEngine> {
  const result = plan.productionResult;
  if (result.kind === 'sqlite-file') return SqliteEngine.open(result.path, { readonly: true });
  return createMssqlEngine({ ...planConnection(plan, env), database: result.database });
}
