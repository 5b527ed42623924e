import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { notConfigured } from './not-configured.js';
import { MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

/**
 * The platform recorded a completed bill run for the date, and it billed every account that was
 * due: the count it recorded and the accounts it invoiced both equal the due count taken from the
 * database just before the bill run. A run that quietly skips accounts still says "completed".
 * `accountsDue` is undefined only for a baseline written before it was recorded: then nothing
 * proves the run was whole, so the check fails rather than pass on the platform's word.
 */
export async function checkBillRunCompleted(engine: DatabaseEngine, billDate: string, release: string, accountsDue: number | undefined, profile: Profile): Promise<CheckResult> {
  const base = { id: 'bill-run-completed', title: `The bill run for ${billDate} completed on the ${release} release and billed every account due` };
  const unconfigured = notConfigured(profile, base, ['billRuns', 'accountsDueCount', 'invoicedAccountsCount', 'dueAccountsNotInvoiced']);
  if (unconfigured !== undefined) return unconfigured;
  const [run] = await profile.query(engine, 'billRuns', { billDate }, { first: 1 });
  if (run === undefined) return { ...base, status: 'failed', summary: `the platform recorded no bill run for ${billDate}` };
  const [invoicedRow] = await profile.query(engine, 'invoicedAccountsCount', { billDate });
  const invoiced = Number(invoicedRow?.accounts ?? 0);
  const recorded = Number(run.accounts_billed);
  const evidence = [
    {
      release: run.release,
      status: run.status,
      started_at: run.started_at,
      finished_at: run.finished_at,
      'accounts due (before the bill run)': accountsDue ?? '—',
      'accounts billed (recorded by the platform)': recorded,
      'accounts invoiced for the date': invoiced,
    },
  ];
  if (run.status !== 'completed') return { ...base, status: 'failed', summary: `bill run status ${run.status}, ${recorded} accounts billed`, evidence };
  if (accountsDue === undefined) {
    return {
      ...base,
      status: 'failed',
      summary: `completed with ${recorded} accounts billed, but this run's baseline does not record how many were due, so nothing shows every due account was billed; rehearse again with --fresh`,
      evidence,
    };
  }
  if (recorded === accountsDue && invoiced === accountsDue && accountsDue > 0) {
    return { ...base, status: 'passed', summary: `completed on release ${run.release}: ${recorded} accounts billed, every one of the ${accountsDue} due`, evidence };
  }
  const notBilled = (await profile.query(engine, 'dueAccountsNotInvoiced', { billDate }, { first: MAX_LISTED_ACCOUNTS })).map((r) => r.account_number);
  const missing = Math.max(0, accountsDue - invoiced);
  const summary =
    accountsDue === 0
      ? `no account was due on ${billDate}, so the bill run proves nothing; check the plan's bill date`
      : `${accountsDue} accounts were due but the platform recorded ${recorded} billed and invoiced ${invoiced}` +
        (missing > 0 ? `: ${missing} due account(s) not billed${notBilled.length > 0 ? ` (${notBilled.slice(0, 5).join(', ')}${missing > 5 ? ', …' : ''})` : ''}` : '');
  return {
    ...base,
    status: 'failed',
    summary,
    ...(notBilled.length > 0 ? { affectedAccounts: notBilled, affectedCount: Math.max(missing, notBilled.length) } : {}),
    evidence,
  };
}
