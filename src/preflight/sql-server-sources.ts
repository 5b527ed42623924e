import type { Plan } from '../plan/types.js';
import type { DatabaseEngine } from '../engine/types.js';
import { UserError, type ConfigError } from '../errors.js';
import { planConnection, type PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { createMssqlEngine } from '../engine/mssql/engine.js';
import { MIN_COMPATIBILITY_LEVEL, describeCompatibilityLevel, readBackupHeader, readDatabaseStatus } from '../engine/mssql/compatibility.js';
import { restoreSource } from '../stages/restore-sql-server.js';
import type { PlanLocator } from './plan-locations.js';
import type { Problems } from './problems.js';

export interface SqlServerLook {
  /** The source database itself when the snapshot is one (restored from an RDS DB snapshot), read only; the caller closes it. */
  readonly source?: DatabaseEngine;
  readonly notes: readonly string[];
}

function serverMessage(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

/**
 * Reads what the server can say about the plan's sources before anything is restored: the
 * backup's header or the database's state, and each one's compatibility level. Only queries;
 * nothing is created on the server.
 */
export async function checkSqlServerSources(plan: Plan, at: PlanLocator, problems: Problems, env: NodeJS.ProcessEnv, engineOptions: PlanEngineOptions): Promise<SqlServerLook> {
  const connection = planConnection(plan, env, engineOptions);
  const { source, from } = restoreSource(plan, env);
  const server = await createMssqlEngine({ ...connection, database: 'master' });
  const where = server.description.replace(/ database master$/, '');
  const notes: string[] = [];
  // A source the Pulumi host step named is not written in the plan, so it has no line to point at.
  const sourceProblem = (path: (string | number)[], detail: string): ConfigError | UserError =>
    from === 'plan' ? at(path, detail) : new UserError(`${detail} (source named by the Pulumi host step's environment)`);
  const tooLow = (what: string, level: number): string =>
    `${what} is at ${describeCompatibilityLevel(level)}; rehearse needs ${describeCompatibilityLevel(MIN_COMPATIBILITY_LEVEL)} or higher ` +
    '(its checks order STRING_AGG with WITHIN GROUP). Restore it on a server that supports a higher level and raise the level there, as the upgrade itself would';

  const checkDatabase = async (database: string, path: (string | number)[], what: string, problem: typeof sourceProblem): Promise<boolean> => {
    const status = await readDatabaseStatus(server, database);
    if (status === undefined) {
      problems.add(problem(path, `${what} ${database} is not a database on ${where}; check the name (sys.databases lists the server's databases)`));
      return false;
    }
    if (status.state !== 'ONLINE') {
      problems.add(problem(path, `${what} ${database} on ${where} is ${status.state}, not ONLINE; bring it online (or wait for its restore to finish)`));
      return false;
    }
    if (status.compatibilityLevel < MIN_COMPATIBILITY_LEVEL) {
      problems.add(problem(path, tooLow(`${what} ${database}`, status.compatibilityLevel)));
      return false;
    }
    notes.push(`${what} ${database}: ${describeCompatibilityLevel(status.compatibilityLevel)}`);
    return true;
  };

  let sourceEngine: DatabaseEngine | undefined;
  try {
    switch (source.kind) {
      case 'mssql-backup-file': {
        const path = ['snapshot', 'backupFile'];
        let header;
        try {
          header = await readBackupHeader(server, source.backupFile);
        } catch (error) {
          problems.add(
            sourceProblem(path, `${where} cannot read the backup ${source.backupFile}: ${serverMessage(error)}. Give the path as the SQL Server service sees it, to a full database backup (.bak) it may read`),
          );
          break;
        }
        if (header === undefined) problems.add(sourceProblem(path, `the backup ${source.backupFile} holds no backup set`));
        else if (!header.isFullDatabaseBackup) problems.add(sourceProblem(path, `the first backup set in ${source.backupFile} is not a full database backup; a restore starts from one`));
        else if (header.compatibilityLevel < MIN_COMPATIBILITY_LEVEL) problems.add(sourceProblem(path, tooLow(`the backup ${source.backupFile} (database ${header.databaseName})`, header.compatibilityLevel)));
        else notes.push(`snapshot ${source.backupFile} (database ${header.databaseName}): ${describeCompatibilityLevel(header.compatibilityLevel)}`);
        break;
      }
      case 'mssql-database':
        if (await checkDatabase(source.database, ['snapshot', 'database'], 'the snapshot database', sourceProblem)) {
          sourceEngine = await createMssqlEngine({ ...connection, database: source.database });
        }
        break;
      case 'rds-s3-backup':
        notes.push(`snapshot ${source.s3Arn}: its compatibility level is known only once Amazon RDS has restored it`);
        break;
      case 'sqlite-file':
        problems.add(at(['snapshot', 'path'], 'a SQLite snapshot cannot be restored on SQL Server; give `backupFile`, `s3Arn` or `database`'));
        break;
    }
    const result = plan.productionResult;
    if (result.kind === 'mssql-database') await checkDatabase(result.database, ['productionResult', 'database'], "production's result", at);
  } catch (error) {
    await sourceEngine?.close();
    throw error;
  } finally {
    await server.close();
  }
  return { ...(sourceEngine !== undefined ? { source: sourceEngine } : {}), notes };
}
