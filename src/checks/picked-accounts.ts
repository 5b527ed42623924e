import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import type { UserPackageRow } from '../platform/rows.js';
import { comparableAccounts, type ComparableAccount } from './comparable-accounts.js';
import { notConfigured, periodName } from './not-configured.js';
import type { PickedAccount } from './account-picker.js';
import type { ScenarioBaseline } from './baseline.js';
import { compareAccount } from './production-diff.js';
import { addMonths } from './money.js';
import type { CheckResult } from './types.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';

/**
 * One check per account the picker chose (plan accounts have their scenario checks): billed the
 * same as production (every compared field), and each package due in this run moved on by its
 * period (computed from the pre-bill-run baseline, independently of production).
 */
export async function checkPickedAccounts(rehearsal: DatabaseEngine, production: DatabaseEngine, baseline: ScenarioBaseline, toleranceCents: number, profile: Profile, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult[]> {
  const picked = (baseline.picked ?? []).filter((p) => p.source === 'picker');
  if (picked.length === 0) return [];
  const missing = picked.map((p) => notConfigured(profile, { id: `account.${p.account}`, title: `Picked account ${p.account}: ${p.reasons.join('; ')}` }, ['comparableAccounts', 'charges', 'userPackages']));
  if (missing.some((m) => m !== undefined)) return missing.filter((m): m is CheckResult => m !== undefined);
  const accounts = picked.map((p) => p.account);
  const read = async (engine: DatabaseEngine): Promise<Map<string, ComparableAccount>> => {
    const rows = new Map<string, ComparableAccount>();
    for await (const row of comparableAccounts(profile, engine, baseline.billDate, accounts)) rows.set(row.account_number, row);
    return rows;
  };
  const mine = await read(rehearsal);
  const theirs = await read(production);
  const packagesAfter = new Map((await profile.query(rehearsal, 'userPackages', {}, { accounts })).map((r) => [r.user_package_id, r]));
  return picked.map((p) => checkOne(p, mine.get(p.account), theirs.get(p.account), baseline, packagesAfter, toleranceCents, releaseNotes));
}

function checkOne(
  picked: PickedAccount,
  rehearsal: ComparableAccount | undefined,
  production: ComparableAccount | undefined,
  baseline: ScenarioBaseline,
  packagesAfter: ReadonlyMap<number, UserPackageRow>,
  tolerance: number,
  releaseNotes: ReleaseNoteLabeller | undefined,
): CheckResult {
  const evidence: Record<string, string | boolean>[] = [];
  const problems: string[] = [];
  if (rehearsal === undefined || production === undefined) {
    problems.push(rehearsal === undefined ? 'missing in the rehearsal database' : 'missing in production\'s result');
  } else {
    const found = compareAccount(rehearsal, production, tolerance);
    const labelled = releaseNotes === undefined || found.length === 0 ? { unexplained: found, explained: [] } : releaseNotes.accountFields(`account.${picked.account}`, picked.account, found);
    const differences = labelled.unexplained;
    for (const { difference: d, by } of labelled.explained) evidence.push({ expectation: `${d.field} as production, or as release note ${by} explains`, expected: d.production, actual: d.rehearsal, ok: true });
    for (const d of differences) {
      evidence.push({ expectation: `${d.field} as production`, expected: d.production, actual: d.rehearsal, ok: false });
      problems.push(`${d.field}: production ${d.production}, rehearsal ${d.rehearsal}`);
    }
    if (found.length === 0) evidence.push({ expectation: 'billed as production (totals, charges by type, taxes, balance, next bill dates, pool)', expected: 'same', actual: 'same', ok: true });
  }
  for (const before of baseline.duePackages.filter((d) => d.account_number === picked.account)) {
    const after = packagesAfter.get(before.user_package_id);
    const months = before.period_months;
    const expected = months === 0 ? 'completed' : addMonths(before.next_bill_date, months);
    const actual = months === 0 ? (after?.status ?? 'missing') : (after?.next_bill_date ?? 'none');
    const ok = expected === actual;
    const period = periodName(months);
    evidence.push({ expectation: `${before.package_code} (${period}) next bill date`, expected, actual, ok });
    if (!ok) problems.push(`${before.package_code} (${period}) next bill date: expected ${expected}, got ${actual}`);
  }
  const failed = problems.length > 0;
  return {
    id: `account.${picked.account}`,
    title: `Picked account ${picked.account}: ${picked.reasons.join('; ')}`,
    status: failed ? 'failed' : 'passed',
    summary: failed ? problems.join('; ') : `${evidence.length} expectation(s) met`,
    ...(failed ? { affectedAccounts: [picked.account], affectedCount: 1 } : {}),
    evidence,
  };
}
