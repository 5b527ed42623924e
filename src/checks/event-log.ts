import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { EventLogRow } from '../platform/rows.js';
import { notConfigured } from './not-configured.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { lenient, WARNING_MARGIN, WARNING_RATIO, warningThresholdText, WarningKinds, type ExternalWarningKind, type WarningPart } from './warning-kinds.js';

/*
 * A warning of a kind the platform adapter declares as depending on outside systems (a gateway
 * declining, a mail server or switch refusing: `eventLog.externalWarnings`) fails only "well above"
 * production's count: more than `WARNING_RATIO` times it AND more than `WARNING_MARGIN` rows above
 * it. Both, so that a handful of extra declined cards against a real gateway is not an alarm, and a
 * doubling of a common warning on a big run is. Every other warning depends only on the data and
 * the release, so any count above production's fails; that includes the messages of a declared
 * kind that its `messages` list does not match (an invoice with no e-mail address on file is filed
 * under the mail kind, but no mail server caused it). The rule is printed in every report.
 */
export { WARNING_MARGIN, WARNING_RATIO, warningThresholdText, type ExternalWarningKind };

type Verdict = 'error' | 'new warning' | 'above production' | 'well above production' | 'as in production';

interface Group {
  readonly level: string;
  readonly module: string;
  readonly action: string;
  readonly part: WarningPart;
  readonly first: EventLogRow;
  count: number;
  readonly accounts: Set<string>;
}

/**
 * The event log since the bill run started, against production's own bill run: any error fails;
 * a warning fails when production's bill run never logged that (module, action) as a warning or
 * error (a new exception a release downgraded to a warning), or logged it less often (far less
 * often, for the part of a kind depending on outside systems). A declared kind with a message list
 * is counted in two parts, on both sides: the messages the list matches and the rest. Other
 * warnings (declined or expired cards production also saw) are reported, not failed.
 */
export async function checkEventLog(rehearsal: DatabaseEngine, since: string, production: DatabaseEngine, billDate: string, profile: Profile, external: readonly ExternalWarningKind[]): Promise<CheckResult> {
  const unconfigured = notConfigured(profile, { id: 'event-log', title: 'No errors, and no warnings beyond production\'s, in the event log since the bill run started' }, ['eventLog', 'billRuns']);
  if (unconfigured !== undefined) return unconfigured;
  const [productionRun] = await profile.query(production, 'billRuns', { billDate }, { first: 1 });
  const kinds = new WarningKinds(external);
  const productionCounts = productionRun === undefined ? new Map<string, number>() : await countByPart(production, productionRun.started_at, profile, kinds);

  const groups = new Map<string, Group>();
  for await (const row of profile.stream(rehearsal, 'eventLog', { since })) {
    const part = kinds.partOf(row.module, row.action, row.message);
    const key = `${row.level}\u0000${partKey(row.module, row.action, part)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { level: row.level, module: row.module, action: row.action, part, first: row, count: 0, accounts: new Set() };
      groups.set(key, group);
    }
    group.count++;
    if (row.account_number !== null && group.accounts.size < MAX_LISTED_ACCOUNTS) group.accounts.add(row.account_number);
  }

  const judged = [...groups.values()].map((g) => {
    const inProduction = productionCounts.get(partKey(g.module, g.action, g.part)) ?? 0;
    return { group: g, inProduction, verdict: judge(g, inProduction, lenient(g.part)) };
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
      messages: g.part,
      count: g.count,
      'production count': inProduction,
      first_at: g.first.logged_at,
      first_message: (g.first.message ?? '').slice(0, 200),
    }));

  const describe = (list: typeof judged): string => list.map((j) => `${kindName(j.group)} ×${j.group.count}${j.inProduction > 0 ? ` (production ${j.inProduction})` : ''}`).join(', ');
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
        ? `no errors; ${warnings} warning(s), all of kinds production's bill run also logged, none above its count beyond the threshold (e.g. declined or expired cards; ${warningThresholdText(external)})`
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
 * Whether a group of the rehearsal's rows fails, given how often production's bill run logged the
 * same (module, action), or the same part of it, and whether that part depends on outside systems
 * (`lenient`: judged by the ratio and the margin).
 */
export function judge(group: { level: string; count: number }, inProduction: number, lenient: boolean): Verdict {
  if (group.level === 'error') return 'error';
  if (inProduction === 0) return 'new warning';
  if (!lenient) return group.count > inProduction ? 'above production' : 'as in production';
  return group.count > WARNING_RATIO * inProduction && group.count - inProduction > WARNING_MARGIN ? 'well above production' : 'as in production';
}

/** Production's warnings and errors since its bill run started, counted by (module, action) and part, as the rehearsal's are. */
async function countByPart(production: DatabaseEngine, since: string, profile: Profile, kinds: WarningKinds): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const row of profile.stream(production, 'eventLog', { since })) {
    const key = partKey(row.module, row.action, kinds.partOf(row.module, row.action, row.message));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function partKey(module: string, action: string, part: WarningPart): string {
  return `${module}\u0000${action}\u0000${part}`;
}

/** `Email/Send`, or `Email/Send [other messages]` for one part of a kind split by its messages. */
function kindName(group: { module: string; action: string; part: WarningPart }): string {
  const kind = `${group.module}/${group.action}`;
  return group.part === 'outside systems' || group.part === 'other messages' ? `${kind} [${group.part}]` : kind;
}

function sum(list: readonly { group: { count: number } }[]): number {
  return list.reduce((total, j) => total + j.group.count, 0);
}
