import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertRunMarker } from '../run/marker.js';
import { assertSourcesUnchanged, sourceFiles } from '../run/source-identity.js';
import { captureScenarioBaseline } from '../checks/baseline.js';
import { maskedContactsPath, recordMaskedContacts } from '../checks/masked-contacts.js';
import { createDriver } from '../platform/drivers/create-driver.js';
import { Profile } from '../platform/profile.js';
import { dryRunProfile } from '../platform/dry-run.js';
import { OtherServices } from '../platform/services.js';
import { resolveBillRunConfiguration } from '../billrun/configuration.js';
import { openProductionResult, openRunCopy } from '../engine/run-databases.js';
import { platformDatabaseFor } from '../billrun/platform-database.js';
import { digestLedger } from '../sinkholes/ledger.js';
import { MAX_LEDGER_ENTRIES_IN_REPORT } from '../report/model.js';
import { readEgressCounters } from '../sandbox/nftables.js';
import { checkNothingLeft } from '../checks/no-egress.js';
import { SafetyError } from '../errors.js';
import { formatCount, formatDuration } from '../ui/progress.js';
import { beforeBillRunPath } from '../differential/masked-production.js';
import { keepBeforeBillRunOnSqlServer } from './state-copies-sql-server.js';
import type { RunContext } from '../pipeline/context.js';
import { runControlBillRun } from '../control/control-run.js';
import { driveBillRun } from '../billrun/drive-bill-run.js';

/**
 * Runs the release's bill run inside the sandbox: configure as the plan says, start, wait with a
 * timeout, then stop the billing service so it cannot bill again. Fails closed: without proven
 * isolation and a passed sanitize proof in this run, nothing starts.
 */
export async function billRun(ctx: RunContext): Promise<string> {
  const { plan, run } = ctx;
  if (run.state.isolationProven !== true || ctx.sandbox === undefined) {
    throw new SafetyError('Refusing to start the bill run: isolation was not proven in this run.');
  }
  if (run.state.sanitizeProofPassed !== true) {
    throw new SafetyError('Refusing to start the bill run: the sanitize proof did not pass in this run.');
  }
  const engine = ctx.engine;
  if (engine === undefined) throw new Error('bill run needs the restored database');
  const sources = sourceFiles(plan);
  assertSourcesUnchanged(sources, run.dir, 'Before the bill run');
  const database = platformDatabaseFor(plan, run.state, ctx.sandbox);
  await assertRunMarker(engine, run.runId, 'run the bill run on');
  const adapter = plan.platform.adapter;
  const profile = new Profile(adapter);
  // Every query of the adapter must compile against this copy before the platform touches it.
  const checked = await dryRunProfile(engine, profile);
  ctx.progress.detail(`${checked} profile queries of ${adapter.file} compile against the copy`);
  ctx.baseline = await captureScenarioBaseline(engine, plan, profile);
  writeFileSync(join(run.dir, 'baseline.json'), `${JSON.stringify(ctx.baseline, null, 2)}\n`);
  const contacts = await recordMaskedContacts(engine, profile, maskedContactsPath(run.workDir));
  if (contacts !== undefined) ctx.progress.detail(`${formatCount(contacts)} contacts' masked addresses recorded, for the mail check`);
  // Configured as production's last bill run was, read from production's result, with the plan's overrides.
  const production = await openProductionResult(plan);
  const configuration = await resolveBillRunConfiguration(production, profile, plan.billRun.date, plan.platformOverrides.configuration).finally(() => production.close());
  ctx.checks.push(configuration.check);
  // The platform owns the database while it bills; holding a connection open would only add locking.
  await engine.close();
  ctx.engine = undefined;
  // The state differential compares what the bill run changed; this is the state it started from.
  if (run.state.databasePath !== undefined) copyFileSync(run.state.databasePath, beforeBillRunPath(run.workDir));
  else if (plan.database.engine === 'mssql') ctx.progress.detail(await keepBeforeBillRunOnSqlServer(ctx));

  const driver = await createDriver(
    adapter,
    {
      namespace: ctx.sandbox.namespace,
      database,
      workDir: run.workDir,
      adapterDir: adapter.dir,
      release: plan.platform.release,
      version: adapter.releases[plan.platform.release] ?? plan.platform.release,
      switches: plan.platform.faults,
      // The platform trusts the run's CA, so the payment sinkhole can answer like a gateway.
      env: ctx.sandbox.caCertPath !== undefined ? { NODE_EXTRA_CA_CERTS: ctx.sandbox.caCertPath } : {},
      onSpawn: (pid) => {
        run.state.servicePid = pid;
        run.save();
      },
    },
    async () => {
      const copy = await openRunCopy(plan, run.state);
      if (copy === undefined) throw new Error('the driver needs the restored database');
      return copy;
    },
  );
  let services: OtherServices | undefined;
  try {
    services = await OtherServices.prepare(adapter, plan.platformOverrides.enableServices, {
      prefix: ctx.sandbox.namespace.execPrefix,
      env: { REHEARSAL_WORK_DIR: run.workDir, REHEARSAL_ADAPTER_DIR: adapter.dir },
      workDir: run.workDir,
    });
  } catch (error) {
    const check = (error as { check?: RunContext['checks'][number] }).check;
    if (check !== undefined) ctx.checks.push(check);
    throw error;
  }
  const countersBefore = await readEgressCounters(ctx.sandbox.namespace.name);
  const billRunConfiguration = { billDate: plan.billRun.date, ...plan.billRun.configuration, settings: configuration.settings };
  let control: string;
  try {
    // Before the candidate's, so the two never bill at once; the egress counters cover both.
    control = await runControlBillRun(ctx, beforeBillRunPath(run.workDir), configuration.settings);
    const billRunStartedAt = new Date().toISOString();
    run.state.billRunStartedAt = billRunStartedAt;
    run.save();
    try {
      const { processed, ms } = await driveBillRun(driver, {
        configuration: billRunConfiguration,
        timeoutSeconds: plan.billRun.timeoutSeconds,
        progress: ctx.progress,
        what: 'The bill run',
        tickLabel: 'accounts billed',
      });
      ctx.progress.detail(`bill run completed: ${processed} accounts in ${formatDuration(ms)}`);
    } finally {
      run.state.servicePid = undefined;
      run.save();
      ctx.engine = await openRunCopy(plan, run.state);
      ctx.ledger = digestLedger(ctx.sandbox.ledgerPath, billRunStartedAt, MAX_LEDGER_ENTRIES_IN_REPORT);
      ctx.checks.push(checkNothingLeft(countersBefore, await readEgressCounters(ctx.sandbox.namespace.name)));
    }
  } finally {
    if (services !== undefined) ctx.checks.push(await services.stopEnabled());
  }
  assertSourcesUnchanged(sources, run.dir, 'After the bill run');
  return `${plan.platform.release} release${plan.platform.faults.length > 0 ? ` with ${plan.platform.faults.join(', ')}` : ''}${control !== '' ? `; ${control}` : ''}`;
}
