import { currentSqlServerCopy, openProductionResult, sqlServerSideCopy } from '../engine/run-databases.js';
import { describeProductionResult } from '../plan/sources.js';
import { checkScenarioAccounts } from '../checks/scenario-accounts.js';
import { checkAgainstProduction, type DifferingAccountsSource } from '../checks/production-diff.js';
import { accountTraitSource } from '../checks/account-traits.js';
import { withSqliteDifferingAccounts } from '../differential/differing-accounts-sqlite.js';
import { withTsqlDifferingAccounts } from '../differential/differing-accounts-tsql.js';
import { randomBytes } from 'node:crypto';
import { checkEventLog } from '../checks/event-log.js';
import { checkBillRunCompleted } from '../checks/bill-run-completed.js';
import { toCents } from '../checks/money.js';
import { checkProvisioning } from '../checks/provisioning.js';
import { describePicked } from '../checks/account-picker.js';
import { checkPickedAccounts } from '../checks/picked-accounts.js';
import { checkPayments } from '../checks/payments.js';
import { CheckedAttempts } from '../sinkholes/checked-attempts.js';
import { checkRolePermissions } from '../checks/role-permissions.js';
import { checkStaffUsers } from '../checks/staff-users.js';
import { keyedHashMask } from '../sanitize/maskers.js';
import { maskingSecret } from '../sanitize/masking-secret.js';
import { checkOutbound, type OutboundInputs } from '../checks/outbound.js';
import { checkOutboundAgainstControl } from '../checks/outbound-control.js';
import { maskedContactsIn, maskedContactsPath } from '../checks/masked-contacts.js';
import type { RunContext } from '../pipeline/context.js';
import { existsSync } from 'node:fs';
import { SqliteEngine } from '../engine/sqlite.js';
import { controlCopyPath } from '../control/control-run.js';
import { checkControlRun } from '../checks/control-run.js';
import type { DatabaseEngine } from '../engine/types.js';
import type { CheckResult } from '../checks/types.js';
import { collectGarbageNow } from '../runtime/full-collection.js';
import { checkStateDifferential, checkStateDifferentialOnServer, stateDifferentialNotRun } from '../checks/state-differential.js';
import { differentialRules } from '../differential/rules.js';
import { beforeBillRunPath, maskedProductionPath } from '../differential/masked-production.js';
import { Profile } from '../platform/profile.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';
import { startReleaseNotes, type ReleaseNotesPass } from '../release-notes/verify-pass.js';
import { runChecklistProbes } from '../probes/run-probes.js';

/** Reads the billed copy and production's result; every check adds its result, none stops the others. */
export async function verify(ctx: RunContext): Promise<string> {
  const engine = ctx.engine;
  const baseline = ctx.baseline;
  if (engine === undefined || baseline === undefined) throw new Error('verify needs the billed database and the pre-bill-run baseline');
  const { plan } = ctx;
  const tolerance = toCents(plan.verify.tolerance);
  const before = ctx.checks.length;
  const profile = new Profile(plan.platform.adapter);
  ctx.checks.push(await checkBillRunCompleted(engine, plan.billRun.date, plan.platform.release, baseline.accountsDue, profile));
  ctx.checks.push(...(await checkScenarioAccounts(engine, plan, baseline, profile)));
  if (baseline.picked !== undefined) ctx.checks.push(describePicked(baseline.picked));
  const production = await openProductionResult(plan);
  let releaseNotes: ReleaseNotesPass;
  try {
    releaseNotes = await startReleaseNotes(plan, production, profile);
    const { labeller } = releaseNotes;
    ctx.checks.push(...(await checkPickedAccounts(engine, production, baseline, tolerance, profile, labeller)));
    ctx.progress.detail(`comparing every account with ${describeProductionResult(plan)}`);
    ctx.checks.push(await checkAgainstProduction(engine, production, plan.billRun.date, tolerance, profile, differingAccountsSource(ctx, engine, profile), labeller));
    ctx.checks.push(await checkRolePermissions(engine, production, plan.verify.expectedPermissionChanges, profile));
    // Staff user names are shown as sanitize's keyed hash would mask them (the plan's masking key when set).
    const staffExpectations = { staff: plan.verify.expectedStaffPermissionChanges, roles: plan.verify.expectedPermissionChanges };
    ctx.checks.push(await checkStaffUsers(engine, production, profile, keyedHashMask(maskingSecret(plan.sanitize.secretEnv)), staffExpectations));
    ctx.checks.push(await checkEventLog(engine, ctx.run.state.billRunStartedAt ?? plan.billRun.date, production, plan.billRun.date, profile, plan.platform.adapter.externalWarnings));
    ctx.progress.detail("comparing what the bill run sent with production's and with the database");
    ctx.checks.push(...(await checkOutbound({ ...outboundInputs(ctx, engine, production, profile), ...(labeller !== undefined ? { releaseNotes: labeller } : {}) })));
    // What the bill run sent was held in typed arrays (165 MB at a million accounts), dead now; the
    // state differential's SQLite pages would otherwise stack on top of them.
    collectGarbageNow();
    ctx.checks.push(await stateDifferential(ctx, engine, production, profile, labeller));
    ctx.checks.push(...(await controlRun(ctx, engine, production, profile, labeller)));
  } finally {
    await production.close();
  }
  const declared = plan.verify.expectedProvisioning;
  const attempts = ctx.ledger?.checked ?? new CheckedAttempts();
  ctx.checks.push(
    declared !== undefined
      ? checkProvisioning(declared, attempts, plan.billRun.configuration.provision, 'declared in the plan')
      : checkProvisioning(baseline.accountsToProvision, attempts, plan.billRun.configuration.provision),
  );
  ctx.checks.push(await checkPayments(engine, attempts.payments, plan.billRun.date, plan.billRun.configuration.chargeAutoPay, profile));
  const labelled = releaseNotes.finish(ctx.checks.slice(before));
  ctx.checks.splice(before, ctx.checks.length - before, ...labelled.checks);
  if (labelled.records !== undefined) ctx.releaseNotes = labelled.records;
  // Last: the checks above have read the billed copy and the ledger, so what the probes write or send cannot reach them.
  ctx.checks.push(...(await runChecklistProbes(ctx)).checks);
  const added = ctx.checks.slice(before);
  const failed = added.filter((c) => c.status === 'failed').length;
  return `${added.length} checks, ${failed} failed`;
}

/**
 * Where the engine can compare both sides itself, only the differing accounts reach the production
 * diff: two SQLite files (production's attached), or the copy and production's result as databases
 * on the one SQL Server the plan connects to (three-part names). Anything else merges streams.
 */
function differingAccountsSource(ctx: RunContext, engine: DatabaseEngine, profile: Profile): DifferingAccountsSource | undefined {
  const { plan, run } = ctx;
  const result = plan.productionResult;
  const billDate = plan.billRun.date;
  if (plan.database.engine === 'sqlite' && run.state.databasePath !== undefined && result.kind === 'sqlite-file') {
    const billed = run.state.databasePath;
    return (use) => withSqliteDifferingAccounts(billed, result.path, profile, billDate, use);
  }
  const copy = currentSqlServerCopy(run.state);
  if (plan.database.engine === 'mssql' && engine.kind === 'mssql' && copy !== undefined && result.kind === 'mssql-database') {
    const databases = { rehearsal: copy.database, production: result.database };
    return (use) => withTsqlDifferingAccounts(engine, databases, profile, billDate, randomBytes(8).toString('hex'), use);
  }
  return undefined;
}

/** What the outbound checks compare: this run's ledger and database against production's. */
export function outboundInputs(ctx: RunContext, engine: DatabaseEngine, production: DatabaseEngine, profile: Profile): OutboundInputs {
  return {
    rehearsal: engine,
    production,
    maskedContacts: maskedContactsIn(maskedContactsPath(ctx.run.workDir)),
    rehearsalLedger: ctx.ledger?.file,
    since: ctx.run.state.billRunStartedAt,
    productionLedger: ctx.plan.productionResult.ledger,
    billDate: ctx.plan.billRun.date,
    configuration: ctx.plan.billRun.configuration,
    packagesToProvision: ctx.baseline?.packagesToProvision,
    ...(ctx.baseline?.mailSender !== undefined ? { senderBeforeBillRun: ctx.baseline.mailSender } : {}),
    profile,
  };
}

/** With `verify.control`: the release's effect (candidate against control: every table, and what each sent) and the environment's noise (control against production). */
async function controlRun(ctx: RunContext, engine: DatabaseEngine, production: DatabaseEngine, profile: Profile, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult[]> {
  const { plan, run } = ctx;
  if (plan.verify.control === undefined) return [];
  const title = 'Control run of the production release in the same sandbox';
  if (plan.database.engine !== 'sqlite' || run.state.databasePath === undefined) {
    return [{ id: 'control', title, status: 'skipped', summary: 'control run skipped: it needs a second copy of the database, made on SQLite only so far' }];
  }
  const releaseOf = async (db: DatabaseEngine): Promise<string | undefined> => (profile.has('billRuns') ? (await profile.query(db, 'billRuns', { billDate: plan.billRun.date }, { first: 1 }))[0]?.release : undefined);
  const controlPath = controlCopyPath(run.workDir);
  let controlRelease: string | undefined;
  const sent: CheckResult[] = [];
  if (existsSync(controlPath)) {
    const control = SqliteEngine.open(controlPath, { readonly: true });
    try {
      controlRelease = await releaseOf(control);
      const { controlStartedAt, billRunStartedAt } = run.state;
      if (ctx.ledger !== undefined && controlStartedAt !== undefined && billRunStartedAt !== undefined) {
        ctx.progress.detail('comparing what the candidate sent with what the control run sent');
        sent.push(
          ...(await checkOutboundAgainstControl({
            ledger: ctx.ledger.file,
            controlStartedAt,
            candidateStartedAt: billRunStartedAt,
            candidate: engine,
            control,
            maskedContacts: maskedContactsIn(maskedContactsPath(run.workDir)),
            configuration: plan.billRun.configuration,
            profile,
            ...(releaseNotes !== undefined ? { releaseNotes } : {}),
          })),
        );
      }
    } finally {
      await control.close();
    }
  }
  ctx.progress.detail('comparing the candidate with the control run, and the control run with production');
  const tables = await checkControlRun(
    { candidate: run.state.databasePath, control: controlPath, beforeBillRun: beforeBillRunPath(run.workDir), productionMasked: maskedProductionPath(run.workDir) },
    differentialRules(plan.verify.stateDifferential.ignore),
    plan.platform.adapter.accountIdentity,
    { candidate: await releaseOf(engine), control: controlRelease, production: await releaseOf(production) },
    plan.verify.controlNoiseRows,
    releaseNotes,
  );
  return [...tables, ...sent];
}

/** Every table the bill run changed, against production's change: inside SQLite, or on the one SQL Server holding all three databases. */
export async function stateDifferential(ctx: RunContext, engine: DatabaseEngine, production: DatabaseEngine, profile: Profile, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult> {
  const { plan, run } = ctx;
  const releaseOf = async (db: DatabaseEngine): Promise<string | undefined> => (profile.has('billRuns') ? (await profile.query(db, 'billRuns', { billDate: plan.billRun.date }, { first: 1 }))[0]?.release : undefined);
  const rules = differentialRules(plan.verify.stateDifferential.ignore);
  const traits = accountTraitSource(engine, profile, plan.billRun.date);
  if (plan.database.engine === 'mssql') {
    const copy = currentSqlServerCopy(run.state);
    const result = plan.productionResult;
    const unavailable = run.state.stateDifferentialUnavailable;
    if (unavailable !== undefined) return stateDifferentialNotRun(unavailable.reason, unavailable.status);
    if (engine.kind !== 'mssql' || copy === undefined || result.kind !== 'mssql-database') {
      return stateDifferentialNotRun("not run: on SQL Server the state differential needs production's result as a database on the same server (productionResult.database)", 'skipped');
    }
    const before = sqlServerSideCopy(run.state, 'before-bill-run', copy.database);
    const masked = sqlServerSideCopy(run.state, 'production-masked', result.database);
    if (before === undefined || masked === undefined) {
      const missing = [before === undefined ? 'the copy as it was before the bill run' : '', masked === undefined ? "production's masked result" : ''].filter((m) => m !== '').join(' and ');
      return stateDifferentialNotRun(`could not compare: ${missing} was not made in this run; run the rehearsal again with --fresh`, 'failed');
    }
    ctx.progress.detail(`comparing every table with what production's bill run changed, on ${engine.description} (${copy.database}, ${before.database}, ${masked.database})`);
    return checkStateDifferentialOnServer(engine, { main: copy.database, pre: before.database, prod: masked.database }, rules, plan.platform.adapter.accountIdentity, { main: await releaseOf(engine), prod: await releaseOf(production) }, traits, releaseNotes);
  }
  if (run.state.databasePath === undefined) return stateDifferentialNotRun('could not compare: the run has no database copy; run the rehearsal again with --fresh', 'failed');
  ctx.progress.detail('comparing every table with what production\'s bill run changed');
  return checkStateDifferential(
    { billed: run.state.databasePath, beforeBillRun: beforeBillRunPath(run.workDir), productionMasked: maskedProductionPath(run.workDir) },
    rules,
    plan.platform.adapter.accountIdentity,
    { main: await releaseOf(engine), prod: await releaseOf(production) },
    traits,
    releaseNotes,
  );
}
