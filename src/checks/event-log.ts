import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { EventLogRow } from '../platform/rows.js';
import { notConfigured } from './not-configured.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

/**
 * When a warning of a kind the platform adapter declares as depending on outside systems (a
 * gateway declining, a mail server or switch refusing: `eventLog.externalWarnings`) counts as "well
 * above" production's: more than this many times production's count AND more than
 * `WARNING_MARGIN` rows above it. Both, so that a handful of extra declined cards against a real
 * gateway is not an alarm, and a doubling of a common warning on a big run is. Every other
 * warning depends only on the data and the release, so any count above production's fails.
 * Printed in every report.
 */
export const WARNING_RATIO = 2;
export const WARNING_MARGIN = 5;

/** A (module, action) whose warnings depend on systems outside the platform. */
export interface ExternalWarningKind {
  readonly module: string;
  readonly action: string;
}

export function warningThresholdText(external: readonly ExternalWarningKind[]): string {
  const kinds = external.length > 0 ? external.map((k) => `${k.module}/${k.action}`).join(', ') : 'none';
  return `a warning fails when production's bill run did not log its (module, action), or when it is logged more often than there; a kind the platform adapter declares as depending on outside systems (${kinds}) fails only when logged more than ${WARNING_RATIO}× and more than ${WARNING_MARGIN} times more often than there`;
}

type Verdict = 'error' | 'new warning' | 'above production' | 'well above production' | 'as in production';

interface Group {
  readonly level: string;
  readonly module: string;
  readonly action: string;
  readonly first: EventLogRow;
  count: number;
  readonly accounts: Set<string>;
}

/**
 * The event log since the bill run started, against production's own bill run: any error fails;
 * a warning fails when production's bill run never logged that (module, action) as a warning or
 * error (a new exception a release downgraded to a warning), or logged it less often (far less
 * often, for kinds depending on outside systems). Other warnings (declined or expired cards
 * production also saw) are reported, not failed.
 */
export async function checkEventLog(rehearsal: DatabaseEngine, since: string, production: DatabaseEngine, billDate: string, profile: Profile, external: readonly ExternalWarningKind[]): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, { id: 'event-log', title: 'No errors, and no warnings beyond production\'s, in the event log since the bill run started' }, ['eventLog', 'billRuns']);
  if (unconfigured !== undefined) return unconfigured;
  const [productionRun] = await profile.query(production, 'billRuns', { billDate }, { first: 1 });
  const productionCounts = productionRun === undefined ? new Map<string, number>() : await countByModuleAction(production, productionRun.started_at, profile);

  const groups = new Map<string, Group>();
  for await (const row of profile.stream(rehearsal, 'eventLog', { since })) {
    const key = `${row.level}\u0000${row.module}\u0000${row.action}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { level: row.level, module: row.module, action: row.action, first: row, count: 0, accounts: new Set() };
      groups.set(key, group);
    }
    group.count++;
    if (row.account_number !== null && group.accounts.size < MAX_LISTED_ACCOUNTS) group.accounts.add(row.account_number);
  }

  const externalKinds = new Set(external.map((k) => moduleAction(k.module, k.action)));
  const judged = [...groups.values()].map((g) => {
    const kind = moduleAction(g.module, g.action);
    const inProduction = productionCounts.get(kind) ?? 0;
    return { group: g, inProduction, verdict: judge(g, inProduction, externalKinds.has(kind)) };
  });
  const failing = judged.filter((j) => j.verdict !== 'as in production');
  const errors = sum(judged.filter((j) => j.verdict === 'error'));
  const newWarnings = judged.filter((j) => j.verdict === 'new warning');
  const aboveWarnings = judged.filter((j) => j.verdict === 'above production');
  const wellAboveWarnings = judged.filter((j) => j.verdict === 'well above production');
  const warnings = sum(judged.filter((j) => j.group.level !== 'error'));

  const affected = new Set<string>();
  for (const j of failing) for (const account of j.group.accounts) if (affected.size < MAX_LISTED_ACCOUNTS) affected.add(account);
  const severity: Record<Verdict, number> = { error: 0, 'new warning': 1, 'above production': 2, 'well above production': 2, 'as in production': 3 };
  const evidence = judged
    .sort((a, b) => severity[a.verdict] - severity[b.verdict] || b.group.count - a.group.count)
    .slice(0, MAX_EVIDENCE_ROWS)
    .map(({ group: g, inProduction, verdict }) => ({
      verdict,
      level: g.level,
      module: g.module,
      action: g.action,
      count: g.count,
      'production count': inProduction,
      first_at: g.first.logged_at,
      first_message: (g.first.message ?? '').slice(0, 200),
    }));

  const describe = (list: typeof judged): string => list.map((j) => `${j.group.module}/${j.group.action} ×${j.group.count}${j.inProduction > 0 ? ` (production ${j.inProduction})` : ''}`).join(', ');
  const problems = [
    ...(errors > 0 ? [`${errors} error(s)`] : []),
    ...(newWarnings.length > 0 ? [`${sum(newWarnings)} warning(s) production's bill run did not log: ${describe(newWarnings)}`] : []),
    ...(aboveWarnings.length > 0 ? [`warnings more often than production's: ${describe(aboveWarnings)}`] : []),
    ...(wellAboveWarnings.length > 0 ? [`warnings depending on outside systems well above production's: ${describe(wellAboveWarnings)}`] : []),
  ];
  const noProduction = productionRun === undefined ? `; production's result records no bill run for ${billDate}, so every warning counts as new` : '';
  const summary =
    failing.length > 0
      ? `${problems.join('; ')} logged since the bill run started (${warningThresholdText(external)})${noProduction}`
      : warnings > 0
        ? `no errors; ${warnings} warning(s), all of kinds production's bill run also logged, none above its count beyond the threshold (e.g. declined or expired cards)`
        : 'no errors or warnings logged since the bill run started';
  return {
    id: 'event-log',
    title: 'No errors, and no warnings beyond production\'s, in the event log since the bill run started',
    status: failing.length > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed',
    summary,
    ...(failing.length > 0 ? { affectedAccounts: [...affected], affectedCount: affected.size } : {}),
    evidence,
  };
}

/**
 * Whether a group of the rehearsal's rows fails, given how often production's bill run logged its
 * (module, action) and whether the adapter declares that kind as depending on outside systems.
 */
export function judge(group: { level: string; count: number }, inProduction: number, external: boolean): Verdict {
  if (group.level === 'error') return 'error';
  if (inProduction === 0) return 'new warning';
  if (!external) return group.count > inProduction ? 'above production' : 'as in production';
  return group.count > WARNING_RATIO * inProduction && group.count - inProduction > WARNING_MARGIN ? 'well above production' : 'as in production';
}

/** Production's warnings and errors since its bill run started, counted by (module, action). */
async function countByModuleAction(production: DatabaseEngine, since: string, profile: Profile): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const row of profile.stream(production, 'eventLog', { since })) {
    const key = moduleAction(row.module, row.action);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function moduleAction(module: string, action: string): string {
  return `${module}\u0000${action}`;
}

function sum(list: readonly { group: { count: number } }[]): number {
  return list.reduce((total, j) => total + j.group.count, 0);
}
