import { UserError } from '../../errors.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * The restored copy's name, derived from the run id so a run can only ever create, find and
 * drop its own database. The pattern keeps it a plain name wherever it is used.
 */
export function rehearsalDatabaseName(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new UserError(
      `The run id ${JSON.stringify(runId.slice(0, 80))} cannot name a SQL Server database: use 1 to 63 letters, digits, '-' or '_', starting with a letter or digit.`,
    );
  }
  return `rehearsal_${runId.replaceAll('-', '_')}`;
}
