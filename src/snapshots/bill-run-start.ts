import type { Plan } from '../plan/types.js';
import type { DatabaseEngine } from '../engine/types.js';
import { Profile } from '../platform/profile.js';
import type { BillRunRow } from '../platform/rows.js';
import { UserError } from '../errors.js';

export interface BillRunStart {
  /** ISO 8601, UTC. */
  readonly at: string;
  readonly from: string;
}

/**
 * A bill run's start as the platform recorded it: a Date (SQL Server datetime, read as UTC) or a
 * text time. Text without a zone is taken as UTC, as the platform's own clock is.
 */
function startedAtOf(value: unknown): string | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value.replace(' ', 'T')}Z`) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * When production's bill run started: the plan's `snapshot.billRunStartedAt`, or the bill run that
 * production's result records for the plan's bill date (the profile's latest-bill-run query).
 */
export async function productionBillRunStart(plan: Plan, given: string | undefined, openProductionResult: () => Promise<DatabaseEngine>): Promise<BillRunStart> {
  if (given !== undefined) return { at: given, from: 'the plan, snapshot.billRunStartedAt' };
  const engine = await openProductionResult();
  let row: BillRunRow | undefined;
  try {
    const profile = new Profile(plan.platform.adapter);
    if (!profile.has('billRuns')) {
      throw new UserError(`The platform adapter ${plan.platform.adapter.file} has no \`billRuns\` query, so production's bill-run start cannot be read. Give it in \`snapshot.billRunStartedAt\` (e.g. ${plan.billRun.date}T01:00:00Z).`);
    }
    [row] = await profile.query(engine, 'billRuns', { billDate: plan.billRun.date }, { first: 1 });
  } finally {
    await engine.close();
  }
  const what = `production's result (${engine.description})`;
  if (row === undefined) {
    throw new UserError(
      `${what} records no bill run for ${plan.billRun.date}, so the backup taken before it cannot be picked. Check \`billRun.date\`, or give the start in \`snapshot.billRunStartedAt\` (e.g. ${plan.billRun.date}T01:00:00Z).`,
    );
  }
  const at = startedAtOf(row.started_at as unknown);
  if (at === undefined) throw new UserError(`${what} records the bill run of ${plan.billRun.date} as started at ${JSON.stringify(row.started_at)}, which is not a time; give the start in \`snapshot.billRunStartedAt\`.`);
  return { at, from: `${what}, bill run of ${plan.billRun.date}` };
}
