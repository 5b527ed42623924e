import junitModule from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { Report } from './model.js';

// The package is CommonJS whose module.exports is the builder, while its typings declare an ES
// default export; under Node's ESM interop the default import is the builder itself.
const junitBuilder = junitModule as unknown as Builder;

/**
 * JUnit XML for CI: one testcase per check (failed → <failure> with the summary, skipped →
 * <skipped/>), one per failed stage, and one per checklist item still to confirm (skipped, so CI
 * shows it without failing the build on a GO pending sign-off).
 */
export function renderJunit(report: Report): string {
  const builder = junitBuilder.newBuilder();
  const suite = builder
    .testSuite()
    .name(`rehearsal ${report.plan.releaseCandidate.id}`)
    .timestamp(report.startedAt)
    .property('verdict', report.verdict)
    .property('verdictReason', report.verdictReason)
    .property('runId', report.runId);
  for (const stage of report.stages) {
    const testCase = suite.testCase().className('rehearsal.stage').name(stage.name).time(stage.durationMs / 1000);
    if (stage.status === 'failed') testCase.failure(stage.detail ?? 'stage failed', 'stage');
    else if (stage.status === 'skipped') testCase.skipped();
  }
  for (const check of report.checks) {
    const testCase = suite.testCase().className('rehearsal.check').name(check.id);
    const detail = [check.title, check.summary, ...(check.affectedAccounts !== undefined && check.affectedAccounts.length > 0 ? [`affected accounts: ${check.affectedAccounts.join(', ')}`] : [])].join('\n');
    if (check.status === 'failed') testCase.failure(check.summary, 'check');
    else if (check.status === 'skipped' || check.status === 'to-confirm') testCase.skipped();
    testCase.standardOutput(detail);
  }
  for (const item of report.checklist.filter((i) => i.status === 'to-confirm')) {
    suite.testCase().className('rehearsal.checklist').name(item.id).skipped().standardOutput(`${item.title}: to confirm by ${item.signOff ?? 'an owner not named in the plan'}`);
  }
  return builder.build();
}
