import type { DatabaseEngine } from '../engine/types.js';
import { latestBillRun, type BillRunRow } from '../profiles/sample-platform.js';
import type { CheckResult } from './types.js';

export async function checkBillRunCompleted(engine: DatabaseEngine, billDate: string, release: string): Promise<CheckResult> {
  const [run] = await engine.query<BillRunRow>(latestBillRun(engine.dialect, billDate));
  const base = { id: 'bill-run-completed', title: `The bill run for ${billDate} completed on the ${release} release` };
  if (run === undefined) return { ...base, status: 'failed', summary: `the platform recorded no bill run for ${billDate}` };
  const ok = run.status === 'completed' && run.accounts_billed > 0;
  return {
    ...base,
    status: ok ? 'passed' : 'failed',
    summary: ok ? `completed on release ${run.release}, ${run.accounts_billed} accounts billed` : `bill run status ${run.status}, ${run.accounts_billed} accounts billed`,
    evidence: [{ release: run.release, status: run.status, started_at: run.started_at, finished_at: run.finished_at, accounts_billed: run.accounts_billed }],
  };
}
