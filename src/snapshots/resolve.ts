import type { Plan, SnapshotPlan } from '../plan/types.js';
import type { DatabaseEngine } from '../engine/types.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { createMssqlEngine } from '../engine/mssql/engine.js';
import { planConnection, type PlanEngineOptions } from '../engine/mssql/from-plan.js';
import { describeCatalogue } from '../plan/sources.js';
import { productionBillRunStart } from './bill-run-start.js';
import { sqliteFolderCandidates } from './sqlite-folder.js';
import { backupFolderCandidates } from './backup-folder.js';
import { listRdsSnapshots, listS3Backups } from './aws-listing.js';
import { selectBackup, SnapshotSelectionError, type SnapshotSelection } from './select.js';
import type { BackupCandidate, CatalogueSource, SnapshotCataloguePlan } from './types.js';

export interface CatalogueOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** How to reach SQL Server; tests pass a fake pool. */
  readonly sqlServer?: PlanEngineOptions;
  /** Lists an AWS catalogue (S3 prefix, RDS snapshots); tests pass fixtures, the default asks the AWS CLI. */
  readonly listAws?: (source: CatalogueSource) => Promise<BackupCandidate[]>;
}

function listAwsWithCli(source: CatalogueSource): Promise<BackupCandidate[]> {
  if (source.kind === 's3-prefix') return listS3Backups(source.s3Prefix);
  if (source.kind === 'rds-snapshots') return listRdsSnapshots(source.tags);
  throw new Error(`unreachable: ${source.kind} is not an AWS catalogue`);
}

async function listCandidates(plan: Plan, source: CatalogueSource, options: CatalogueOptions): Promise<BackupCandidate[]> {
  if (source.kind !== 'folder') return (options.listAws ?? listAwsWithCli)(source);
  if (plan.database.engine === 'sqlite') return sqliteFolderCandidates(source.folder);
  const server = await createMssqlEngine({ ...planConnection(plan, options.env ?? process.env, options.sqlServer ?? {}), database: 'master' });
  try {
    return await backupFolderCandidates(server, source.folder);
  } finally {
    await server.close();
  }
}

/**
 * Lists the catalogue and judges every backup in it against production's bill run; never throws
 * for a refusal (the selection says why), so `rehearse snapshots` can show the candidates anyway.
 */
export async function selectFromCatalogue(plan: Plan, catalogue: SnapshotCataloguePlan, options: CatalogueOptions = {}): Promise<SnapshotSelection> {
  const env = options.env ?? process.env;
  const result = plan.productionResult;
  const open = async (): Promise<DatabaseEngine> =>
    result.kind === 'sqlite-file' ? SqliteEngine.open(result.path, { readonly: true }) : createMssqlEngine({ ...planConnection(plan, env, options.sqlServer ?? {}), database: result.database });
  const start = await productionBillRunStart(plan, catalogue.billRunStartedAt, open);
  const candidates = await listCandidates(plan, catalogue.source, options);
  return selectBackup({
    candidates,
    billRunStartedAt: start.at,
    billRunStartedFrom: start.from,
    ...(catalogue.maxAgeHours !== undefined ? { maxAgeHours: catalogue.maxAgeHours } : {}),
  });
}

/** The source the restore takes for the picked backup. */
function pickedSource(plan: Plan, source: CatalogueSource, id: string): SnapshotPlan {
  switch (source.kind) {
    case 'folder':
      return plan.database.engine === 'sqlite' ? { kind: 'sqlite-file', path: id } : { kind: 'mssql-backup-file', backupFile: id };
    case 's3-prefix':
      return { kind: 'rds-s3-backup', s3Arn: id };
    case 'rds-snapshots':
      // Pulumi restores the picked snapshot into the instance; the run attaches the database in it.
      return { kind: 'mssql-database', database: source.database };
  }
}

/**
 * A plan whose snapshot is a catalogue becomes the plan of the backup picked from it, with the
 * selection attached for the report; other plans are returned as they are. Refuses (exit 2, every
 * candidate listed) when no backup qualifies.
 *
 * On AWS the Pulumi program picked the backup already and its host step names it in the
 * environment (REHEARSAL_RESTORE_SOURCE), which the restore takes; the host cannot list RDS or S3
 * itself (no route to those APIs beyond the transfer bucket), so it does not pick again.
 */
export async function resolveSnapshot(plan: Plan, options: CatalogueOptions = {}): Promise<Plan> {
  if (plan.snapshot.kind !== 'catalogue') return plan;
  const { catalogue } = plan.snapshot;
  const env = options.env ?? process.env;
  const described = describeCatalogue(catalogue.source);
  if (catalogue.source.kind !== 'folder' && (env['REHEARSAL_RESTORE_SOURCE'] ?? '') !== '') {
    return { ...plan, snapshot: pickedSource(plan, catalogue.source, env['REHEARSAL_BAK_S3_ARN'] ?? env['REHEARSAL_SNAPSHOT_ID'] ?? '') };
  }
  const selection = await selectFromCatalogue(plan, catalogue, options);
  if (selection.picked === undefined) throw new SnapshotSelectionError(selection, described);
  return { ...plan, snapshot: pickedSource(plan, catalogue.source, selection.picked.id), snapshotSelection: { ...selection, catalogue: described } };
}
