import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckResult } from '../checks/types.js';
import type { RunContext } from '../pipeline/context.js';
import { platformDatabaseFor } from '../billrun/platform-database.js';
import { Profile } from '../platform/profile.js';
import { readEgressCounters, unexplainedPackets, type EgressCounters } from '../sandbox/nftables.js';
import { readLedger, type LedgerEntry } from '../sinkholes/ledger.js';
import { SandboxHttpAgent } from './agent.js';
import type { Evidence, ProbeFinding, ProbeRunContext } from './context.js';
import { probeVariables, type ProbeEnvironment } from './environment.js';
import { runCommandProbe } from './command-probe.js';
import { runHttpProbe } from './http-probe.js';
import { runJobProbe } from './job-probe.js';
import { runSqlProbe } from './sql-probe.js';
import { ServicePool } from './service-pool.js';
import { conceptDefinition } from '../platform/concepts.js';
import type { ProbePlan, ProbeResult } from './types.js';

/**
 * Runs every checklist item's probes after the bill run and its checks, in the run's sandbox and
 * against the billed copy (the database checks have read it by then, so a probe that signs up an
 * account cannot disturb them). Fail closed: without isolation proven in this run every probe
 * fails unrun. Each probe becomes a check (`checklist.<item>.<n>-<kind>`); one that made the
 * sandbox try to leave (a ledger entry or a denied packet while it ran; a job probe's own
 * sends excepted) fails whatever it found.
 */
export async function runChecklistProbes(ctx: RunContext): Promise<{ checks: CheckResult[]; results: ProbeResult[] }> {
  const probes = ctx.plan.checklist.flatMap((item) => item.probes);
  if (probes.length === 0) return { checks: [], results: [] };
  const { plan, run, sandbox } = ctx;
  const engine = ctx.engine;
  if (plan.target !== 'local' || run.state.isolationProven !== true || sandbox === undefined || engine === undefined) {
    const why =
      plan.target !== 'local'
        ? 'probes run on the local target only so far (on AWS they would need the rehearsal host and SSM to the app host)'
        : sandbox === undefined || run.state.isolationProven !== true
          ? 'isolation was not proven in this run, so no probe may run'
          : 'the billed copy is not open';
    const results = probes.map((p) => ({ id: p.id, kind: p.spec.kind, outcome: 'error' as const, summary: `not run: ${why}`, evidence: [], ms: 0 }));
    return { checks: results.map((r, i) => toCheck(probes[i] as ProbePlan, r)), results };
  }
  const env: ProbeEnvironment = {
    execPrefix: sandbox.namespace.execPrefix,
    database: platformDatabaseFor(plan, run.state, sandbox),
    workDir: run.workDir,
    adapterDir: plan.platform.adapter.dir,
    release: plan.platform.release,
    switches: plan.platform.faults,
    billDate: plan.billRun.date,
    ...(sandbox.caCertPath !== undefined ? { caCertPath: sandbox.caCertPath } : {}),
  };
  const accountValues = await readAccountValues(ctx, probes);
  const agent = SandboxHttpAgent.start(env.execPrefix, probeVariables(env));
  const services = new ServicePool(plan.platform.adapter, { execPrefix: env.execPrefix, env: probeVariables(env), workDir: run.workDir, onSpawn: () => undefined, onExit: () => undefined }, agent);
  // Services the http probes talk to start now, beside the HTTP client, rather than at their first probe.
  for (const name of new Set(probes.flatMap((p) => (p.spec.kind === 'http' ? [p.spec.service] : [])))) services.url(name).catch(() => undefined);
  const results: ProbeResult[] = [];
  const checks: CheckResult[] = [];
  const namespace = sandbox.namespace.name;
  const countersBefore = await readEgressCounters(namespace);
  const started = Date.now();
  const ran: { probe: ProbePlan; finding: ProbeFinding; from: string; before: EgressCounters; after: EgressCounters; ms: number }[] = [];
  try {
    for (const probe of probes) {
      ctx.progress.detail(`probe ${probe.id}`);
      const variables = { billDate: plan.billRun.date, ...(probe.account !== undefined ? { account: probe.account, ...accountValues.get(probe.account) } : {}) };
      const probeCtx: ProbeRunContext = { env, adapter: plan.platform.adapter, engine, ...(run.state.databasePath !== undefined && plan.database.engine === 'sqlite' ? { databasePath: run.state.databasePath } : {}), ledgerPath: sandbox.ledgerPath, agent, services, variables };
      const from = new Date().toISOString();
      const probeStarted = Date.now();
      const before = await readEgressCounters(namespace);
      let finding: ProbeFinding;
      try {
        finding = await runOne(probe, probeCtx);
      } catch (error) {
        finding = { outcome: 'error', summary: (error as Error).message.split('\n')[0] ?? 'failed', evidence: [] };
      }
      ran.push({ probe, finding, from, before, after: await readEgressCounters(namespace), ms: Date.now() - probeStarted });
    }
    // A sinkhole writes a connection to the ledger once it has read its first bytes (a silent
    // client after 2 s), which can be after the probe that made it returned. The entry carries the
    // time the connection was accepted, so once the ledger is quiet each entry goes to the probe
    // that was running then.
    ctx.progress.detail('waiting for the sinkholes to record what the probes sent');
    const entries = await settledLedger(sandbox.ledgerPath, ran[0]?.from ?? new Date(started).toISOString());
    ran.forEach((r, i) => {
      const until = ran[i + 1]?.from;
      const during = entries.filter((e) => e.time >= r.from && (until === undefined || e.time < until));
      const result: ProbeResult = { id: r.probe.id, kind: r.probe.spec.kind, ...withEgress(r.finding, r.probe, during, r.before, r.after), ms: r.ms };
      results.push(result);
      checks.push(toCheck(r.probe, result));
    });
  } finally {
    await services.stopAll();
    await agent.close();
  }
  checks.push(egressCheck(countersBefore, await readEgressCounters(namespace), probes.length, Date.now() - started));
  return { checks, results };
}

/** Longer than a sinkhole waits for a silent client's first bytes (2 s), so nothing is still pending. */
const LEDGER_QUIET_MS = 2500;
const LEDGER_SETTLE_DEADLINE_MS = 15_000;

/** The ledger's entries since `since`, once no new one has appeared for LEDGER_QUIET_MS (or the deadline passed). */
async function settledLedger(ledgerPath: string, since: string): Promise<LedgerEntry[]> {
  const deadline = Date.now() + LEDGER_SETTLE_DEADLINE_MS;
  let entries = readLedger(ledgerPath, since);
  let quietSince = Date.now();
  while (Date.now() - quietSince < LEDGER_QUIET_MS && Date.now() < deadline) {
    await sleep(100);
    const now = readLedger(ledgerPath, since);
    if (now.length !== entries.length) quietSince = Date.now();
    entries = now;
  }
  return entries;
}

function runOne(probe: ProbePlan, ctx: ProbeRunContext): Promise<ProbeFinding> {
  switch (probe.spec.kind) {
    case 'http':
      return runHttpProbe(probe.spec, ctx);
    case 'sql':
      return runSqlProbe(probe.spec, ctx);
    case 'command':
      return runCommandProbe(probe.spec, ctx);
    case 'job':
      return runJobProbe(probe.spec, ctx);
  }
}

/** A probe other than a job that made anything try to leave the sandbox fails, and says where to. */
function withEgress(finding: ProbeFinding, probe: ProbePlan, entries: readonly LedgerEntry[], before: EgressCounters, after: EgressCounters): ProbeFinding {
  const denied = after.deniedPackets - before.deniedPackets;
  const left = unexplainedPackets(before, after);
  const attempts = probe.spec.kind === 'job' ? [] : entries.filter((e) => e.kind !== 'tls' || !entries.some((o) => o.kind === 'payment' && o.destination.address === e.destination.address));
  if (attempts.length === 0 && denied === 0 && left === 0) return finding;
  const where = [...new Set(attempts.map((e) => `${e.kind} to ${e.destination.host}:${e.destination.port}`))].slice(0, 5);
  const parts = [...(where.length > 0 ? [`tried to leave the sandbox: ${where.join(', ')} (caught by the sinkholes)`] : []), ...(denied > 0 ? [`${denied} packet(s) stopped by the default-deny policy`] : []), ...(left > 0 ? [`${left} packet(s) left the sandbox`] : [])];
  return { outcome: 'failed', summary: `${parts.join('; ')}; ${finding.summary}`, evidence: [{ egress: parts.join('; ') }, ...finding.evidence] };
}

function egressCheck(before: EgressCounters, after: EgressCounters, probes: number, ms: number): CheckResult {
  const left = unexplainedPackets(before, after);
  const ok = after.policyInstalled && left === 0;
  return {
    id: 'probes-no-egress',
    title: 'No packet left the sandbox while the checklist probes ran',
    status: ok ? 'passed' : 'failed',
    summary: ok ? `${probes} probe(s) in ${(ms / 1000).toFixed(1)} s: 0 packets left by a non-loopback interface; ${after.deniedPackets - before.deniedPackets} stopped by the default-deny policy` : `${left} packet(s) left the sandbox while the probes ran${after.policyInstalled ? '' : ' and the default-deny policy was gone'}`,
    evidence: [{ 'packets out (non-loopback)': left, 'packets denied': after.deniedPackets - before.deniedPackets, 'policy in place': after.policyInstalled }],
  };
}

function toCheck(probe: ProbePlan, result: ProbeResult): CheckResult {
  return {
    id: probe.id,
    title: `${probe.title} (${probe.spec.kind} probe)`,
    status: result.outcome === 'passed' ? 'passed' : 'failed',
    summary: `${result.outcome === 'error' ? 'error: ' : ''}${result.summary} (${(result.ms / 1000).toFixed(1)} s)`,
    ...(probe.account !== undefined ? { affectedAccounts: result.outcome === 'passed' ? [] : [probe.account] } : {}),
    evidence: result.evidence.map((e: Evidence) => ({ ...e })),
  };
}

/** `{{account.<column>}}` for every probe's account, read once from the billed copy through the profile. */
async function readAccountValues(ctx: RunContext, probes: readonly ProbePlan[]): Promise<Map<string, Record<string, string>>> {
  const accounts = [...new Set(probes.map((p) => p.account).filter((a): a is string => a !== undefined))];
  const values = new Map<string, Record<string, string>>();
  const profile = new Profile(ctx.plan.platform.adapter);
  if (accounts.length === 0 || ctx.engine === undefined || !profile.has('accountOutcomes')) return values;
  for (const row of await profile.query(ctx.engine, 'accountOutcomes', { billDate: ctx.plan.billRun.date }, { accounts })) {
    values.set(row.account_number, Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'account_number').map(([k, v]) => [`account.${k}`, shownValue(k, v)])));
  }
  return values;
}

/** A profile value as the platform shows it: money in the currency's units (the profile keeps cents), null as empty. */
function shownValue(column: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  const type = (conceptDefinition('accountOutcomes').columns as Readonly<Record<string, string>>)[column] ?? '';
  return type.startsWith('money') && typeof value === 'number' ? (value / 100).toFixed(2) : String(value);
}
