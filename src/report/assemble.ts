import type { RunContext } from '../pipeline/context.js';
import { checklistStatus, decideVerdict, REPORT_SCHEMA_VERSION, type Report, type StageRecord } from './model.js';
import { releaseNoteChecklist } from '../release-notes/outcome.js';

/** The report object from what the stages recorded: every check, sanitize, probes and the egress ledger. */
export function assembleReport(ctx: RunContext, stages: readonly StageRecord[], startedAt: string): Report {
  const { plan, run } = ctx;
  const checklist = checklistStatus([...plan.checklist, ...releaseNoteChecklist(plan.releaseNotes)], ctx.checks);
  const { verdict, reason } = decideVerdict(stages, ctx.checks, checklist);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: run.runId,
    plan: {
      file: plan.file,
      releaseCandidate: plan.releaseCandidate,
      target: plan.target,
      release: plan.platform.release,
      faults: plan.platform.faults,
    },
    verdict,
    verdictReason: reason,
    startedAt,
    finishedAt: new Date().toISOString(),
    stages,
    checks: ctx.checks,
    checklist,
    ...(ctx.releaseNotes !== undefined ? { releaseNotes: ctx.releaseNotes } : {}),
    ...(ctx.sanitize !== undefined ? { sanitize: ctx.sanitize } : {}),
    ...(ctx.isolationProof !== undefined ? { isolation: { counts: ctx.isolationProof.counts, probes: ctx.isolationProof.results } } : {}),
    ...(ctx.ledger !== undefined
      ? {
          egress: {
            summary: ctx.ledger.summary,
            entries: ctx.ledger.sample,
            entriesOmitted: Math.max(0, ctx.ledger.summary.total - ctx.ledger.sample.length),
          },
        }
      : {}),
  };
}
