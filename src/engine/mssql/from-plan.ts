import type { Plan } from '../../plan/types.js';
import { UserError } from '../../errors.js';
import { assertRehearsalServer } from '../../guard/server.js';
import { resolveConnection, type MssqlConnectionOptions } from './config.js';
import { createMssqlEngine, type MssqlEngine, type MssqlEngineOptions } from './engine.js';

export type PlanEngineOptions = Omit<MssqlEngineOptions, 'connectionString' | 'connectionStringSource'>;

/**
 * The connection options for the plan's SQL Server, from the environment variable it names,
 * after the server-name guard has accepted the target. No connection is opened here.
 */
export function planConnection(plan: Plan, env: NodeJS.ProcessEnv, options: PlanEngineOptions = {}): MssqlEngineOptions {
  const variable = plan.database.connectionStringEnv;
  if (plan.database.engine !== 'mssql' || variable === undefined) {
    throw new UserError(`${plan.file} does not use SQL Server (database.engine is ${plan.database.engine}); set database.engine: mssql with server and connectionStringEnv.`);
  }
  const connectionString = env[variable];
  if (connectionString === undefined || connectionString.trim() === '') {
    throw new UserError(
      `The environment variable ${variable} named in ${plan.file} (database.connectionStringEnv) is not set. ` +
        'Export the rehearsal server connection string in it, e.g. `Server=host,1433;User Id=...;Password=...;Encrypt=true`.',
    );
  }
  const connection: MssqlConnectionOptions = { ...options, connectionString, connectionStringSource: `environment variable ${variable}` };
  assertRehearsalServer(plan.database, resolveConnection(connection).target.server, plan.file);
  return { ...options, ...connection };
}

export async function openPlanEngine(plan: Plan, env: NodeJS.ProcessEnv, options: PlanEngineOptions = {}): Promise<MssqlEngine> {
  return createMssqlEngine(planConnection(plan, env, options));
}
