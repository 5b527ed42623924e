import type { Plan } from './types.js';
import { UserError } from '../errors.js';
import type { CatalogueSource } from '../snapshots/types.js';

/** The snapshot and production-result files of a SQLite plan (the stand-ins' and the bench's). */
export function sqliteFiles(plan: Plan): { snapshot: string; productionResult: string } {
  const { snapshot, productionResult } = plan;
  if (snapshot.kind !== 'sqlite-file' || productionResult.kind !== 'sqlite-file') {
    throw new UserError(`${plan.file} keeps its snapshot on SQL Server; this command works on SQLite snapshot files (database.engine: sqlite).`);
  }
  return { snapshot: snapshot.path, productionResult: productionResult.path };
}

/** Where the snapshot comes from, for messages and the report. */
export function describeSnapshot(plan: Plan): string {
  const s = plan.snapshot;
  switch (s.kind) {
    case 'sqlite-file':
      return s.path;
    case 'mssql-backup-file':
      return `${s.backupFile} (native backup on ${plan.database.server ?? 'the rehearsal server'})`;
    case 'rds-s3-backup':
      return `${s.s3Arn} (restored by Amazon RDS)`;
    case 'mssql-database':
      return `database ${s.database} (restored from an RDS DB snapshot)`;
    case 'catalogue':
      return describeCatalogue(s.catalogue.source);
  }
}

/** A snapshot catalogue, for messages and the report. */
export function describeCatalogue(source: CatalogueSource): string {
  switch (source.kind) {
    case 'folder':
      return `folder ${source.folder}`;
    case 's3-prefix':
      return `S3 prefix ${source.s3Prefix}`;
    case 'rds-snapshots':
      return `RDS DB snapshots tagged ${Object.entries(source.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`;
  }
}

/** Where production's result is, for messages. */
export function describeProductionResult(plan: Plan): string {
  const result = plan.productionResult;
  return result.kind === 'sqlite-file' ? result.path : `database ${result.database} on ${plan.database.server ?? 'the rehearsal server'}`;
}
