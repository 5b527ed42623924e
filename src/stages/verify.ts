import { SqliteEngine } from '../engine/sqlite.js';
import { checkScenarioAccounts } from '../checks/scenario-accounts.js';
import { checkAgainstProduction } from '../checks/production-diff.js';
import { checkEventLog } from '../checks/event-log.js';
import { checkBillRunCompleted } from '../checks/bill-run-completed.js';
import { toCents } from '../checks/money.js';
import { checkProvisioning } from '../checks/provisioning.js';
import type { RunContext } from '../pipeline/context.js';

/** Reads the billed copy and production's result; every check adds its result, none stops the others. */
export async function verify(ctx: RunContext): Promise<string> {
  const engine = ctx.engine;
  const baseline = ctx.baseline;
  if (engine === undefined || baseline === undefined) throw new Error('verify needs the billed database and the pre-bill-run baseline');
  const { plan } = ctx;
  const before = ctx.checks.length;
  ctx.checks.push(await checkBillRunCompleted(engine, plan.billRun.date, plan.platform.release));
  ctx.checks.push(...(await checkScenarioAccounts(engine, plan, baseline)));
  const production = SqliteEngine.open(plan.productionResult.path, { readonly: true });
  try {
    ctx.progress.detail(`comparing every account with ${plan.productionResult.path}`);
    ctx.checks.push(await checkAgainstProduction(engine, production, plan.billRun.date, toCents(plan.verify.tolerance)));
  } finally {
    await production.close();
  }
  ctx.checks.push(await checkEventLog(engine, ctx.run.state.billRunStartedAt ?? plan.billRun.date));
  ctx.checks.push(checkProvisioning(baseline.accountsToProvision, ctx.ledger ?? [], plan.billRun.configuration.provision));
  const added = ctx.checks.slice(before);
  const failed = added.filter((c) => c.status === 'failed').length;
  return `${added.length} checks, ${failed} failed`;
}
