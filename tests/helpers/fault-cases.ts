import type { Test } from 'tap';
import { readReport, rehearse, type SampleFixture } from './sample-fixture.js';

/** A fault switch of the candidate release and the check a billing engineer would expect to catch it. */
export interface FaultCase {
  readonly fault: string;
  readonly check: string;
  readonly account?: string;
  readonly summary?: RegExp;
}

/** One rehearsal per fault, shared by every case and assertion about that fault. */
export function faultRuns(sample: SampleFixture): (fault: string) => ReturnType<typeof rehearse> {
  const runs = new Map<string, ReturnType<typeof rehearse>>();
  return (fault) => {
    let run = runs.get(fault);
    if (run === undefined) {
      run = rehearse(['--json', 'all', sample.plan(fault, { faults: [fault] })]);
      runs.set(fault, run);
    }
    return run;
  };
}

/** Each fault switch must give NO-GO, caught by the check a billing engineer would expect. */
export function faultGivesNoGo(t: Test, runWith: (fault: string) => ReturnType<typeof rehearse>, cases: readonly FaultCase[]): void {
  for (const c of cases) {
    t.test(`${c.fault} gives NO-GO through ${c.check}`, async (t) => {
      const run = runWith(c.fault);
      t.equal(run.status, 1, run.stderr);
      t.equal(run.json?.verdict, 'NO-GO');
      const report = readReport(run.json?.report ?? '');
      const check = report.checks.find((x) => x.id === c.check);
      t.equal(check?.status, 'failed', `${c.check} failed`);
      if (c.summary) t.match(check?.summary, c.summary);
      t.ok((check?.affectedAccounts ?? []).length > 0, 'the report names affected accounts');
      if (c.account) t.ok(check?.affectedAccounts?.includes(c.account), `${c.account} is named`);
      t.ok(report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
    });
  }
}
