import { loadPlan } from '../plan/load.js';
import { withoutBackupFile, type RunFolder } from '../run/run-folder.js';
import { readRunMarker } from '../run/marker.js';
import { planConnection, type PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { createMssqlEngine, type MssqlEngine } from '../engine/mssql/engine.js';
import { databaseIdQuery, dropDatabaseStatements } from '../engine/mssql/restore-sql.js';
import { dropSnapshotStatement } from '../engine/mssql/side-copy-sql.js';
import { deleteBackupFile } from '../engine/mssql/side-copies.js';
import type { MssqlConnectionOptions } from '../engine/mssql/config.js';

/**
 * Drops the SQL Server databases this run restored. A database is dropped only when it carries
 * this run's marker, so a name clash can never drop production or another run's copy; one that
 * cannot be checked (half-restored, server unreachable) stays listed and is named in the result
 * with what to do, and a later `rehearse down` tries again. Backup files the run wrote on the
 * server and could not delete then are deleted now, or stay listed likewise. Updates the state in
 * memory only.
 */
export async function dropSqlServerCopies(run: RunFolder, env: NodeJS.ProcessEnv = process.env, options: PlanEngineOptions = {}): Promise<string[]> {
  // A database snapshot must go before the database it is a snapshot of: SQL Server refuses to drop that one while it has snapshots.
  const copies = [...(run.state.sqlServerCopies ?? [])].sort((a, b) => Number(b.snapshot === true) - Number(a.snapshot === true));
  if (copies.length === 0) return [];
  let connection: MssqlConnectionOptions;
  try {
    connection = planConnection(loadPlan(run.state.planFile), env, options);
  } catch (error) {
    return [`NOT removed: ${copies.map((c) => c.database).join(', ')} (cannot reach the server: ${firstLine(error)}); fix that and run \`rehearse down\` again`];
  }
  const results: string[] = [];
  const left: typeof copies = [];
  // Copies before `next` are settled (dropped, gone, left with a reason); the rest are not.
  let next = 0;
  let master: MssqlEngine | undefined;
  try {
    master = await createMssqlEngine({ ...connection, database: 'master' });
    for (; next < copies.length; next++) {
      const copy = copies[next]!;
      if (!copy.createdByRun) {
        results.push(`database ${copy.database} left to its Pulumi stack (\`pulumi destroy\` removes the instance)`);
        continue;
      }
      const [row] = await master.query<{ database_id: number | null }>(databaseIdQuery(copy.database));
      if (row?.database_id == null) continue;
      const why = await notOurs(connection, copy.database, run.runId);
      if (why !== undefined) {
        left.push(copy);
        results.push(`NOT removed: database ${copy.database} on ${master.description} (${why}); check it and drop it by hand`);
        continue;
      }
      for (const statement of copy.snapshot === true ? [dropSnapshotStatement(copy.database)] : dropDatabaseStatements(copy.database)) await master.exec(statement);
      results.push(`${copy.snapshot === true ? 'database snapshot' : 'database'} ${copy.database} on ${master.description}`);
    }
    for (const copy of copies) {
      if (copy.backupFile === undefined) continue;
      const fate = await deleteBackupFile(master, copy.backupFile);
      if (fate.deleted) {
        results.push(`backup file ${fate.file} on ${master.description}`);
        const at = left.indexOf(copy);
        if (at >= 0) left[at] = withoutBackupFile(copy);
      } else {
        results.push(`NOT removed: backup file ${fate.file} on ${master.description} (${fate.why}); it holds a copy of ${copy.of ?? copy.database}: delete it on the server`);
        if (!left.includes(copy)) left.push(copy);
      }
    }
  } catch (error) {
    const unfinished = copies.slice(next).filter((c) => c.createdByRun);
    left.push(...unfinished);
    results.push(`NOT removed: ${unfinished.map((c) => c.database).join(', ')} (${firstLine(error)}); run \`rehearse down\` again`);
  } finally {
    await master?.close();
  }
  // The caller records the state once everything is removed (see destroyRun).
  run.state.sqlServerCopies = left;
  return results;
}

/** Why a database must not be dropped by this run, or undefined when it carries the run's marker. */
async function notOurs(connection: MssqlConnectionOptions, database: string, runId: string): Promise<string | undefined> {
  const engine = await createMssqlEngine({ ...connection, database });
  try {
    const marker = await readRunMarker(engine);
    if (marker === undefined) return 'it carries no run marker: a restore that did not finish, or not ours';
    return marker.runId === runId ? undefined : `it carries the marker of run ${marker.runId}`;
  } finally {
    await engine.close();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
