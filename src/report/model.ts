import type { CheckResult } from '../checks/types.js';
import type { SanitizeProof } from '../sanitize/proof.js';
import type { TableMaskResult } from '../sanitize/apply.js';
import type { ProbeResult } from '../sandbox/probes.js';
import type { LedgerEntry, LedgerSummary } from '../sinkholes/ledger.js';
import type { ReleaseNoteRecord } from '../release-notes/outcome.js';

/**
 * report.json is the source of truth; Markdown, HTML and JUnit are rendered from it. Its shape is
 * described by report.schema.json; raise the version whenever that shape changes.
 */
export const REPORT_SCHEMA_VERSION = 3;

export type Verdict = 'GO' | 'GO-PENDING-SIGN-OFF' | 'NO-GO';
export type StageStatus = 'passed' | 'failed' | 'skipped';

export interface StageRecord {
  readonly name: string;
  readonly status: StageStatus;
  readonly durationMs: number;
  readonly detail?: string;
}

export interface ChecklistRecord {
  readonly id: string;
  readonly title: string;
  readonly status: 'passed' | 'failed' | 'to-confirm';
  readonly checks: readonly string[];
  readonly signOff?: string;
}

export interface Report {
  readonly schemaVersion: number;
  readonly runId: string;
  readonly plan: { readonly file: string; readonly releaseCandidate: { id: string; version: string }; readonly target: string; readonly release: string; readonly faults: readonly string[] };
  readonly verdict: Verdict;
  readonly verdictReason: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly stages: readonly StageRecord[];
  readonly checks: readonly CheckResult[];
  readonly checklist: readonly ChecklistRecord[];
  readonly sanitize?: { readonly tables: readonly TableMaskResult[]; readonly proof: SanitizeProof };
  /** The isolation proof's probe table. */
  readonly isolation?: { readonly counts: { sinkhole: number; unreachable: number; leak: number }; readonly probes: readonly ProbeResult[] };
  /** Everything the platform tried to send during the bill run, as the sinkholes caught it. */
  readonly egress?: { readonly summary: LedgerSummary; readonly entries: readonly LedgerEntry[]; readonly entriesOmitted: number };
  /** Per release note of the plan: what it explained, and whether its expected difference appeared. */
  readonly releaseNotes?: readonly ReleaseNoteRecord[];
}

/** Ledger entries kept in report.json; the summary always counts all of them. */
export const MAX_LEDGER_ENTRIES_IN_REPORT = 5000;

export const VERDICT_RULE =
  'NO-GO if any stage or automated check failed (a check that could not run, or a checklist item whose check is missing, counts as failed); otherwise GO-PENDING-SIGN-OFF while manual checklist items are still to confirm; otherwise GO.';

export function decideVerdict(stages: readonly StageRecord[], checks: readonly CheckResult[], checklist: readonly ChecklistRecord[] = []): { verdict: Verdict; reason: string } {
  const failedStages = stages.filter((s) => s.status === 'failed');
  if (failedStages.length > 0) return { verdict: 'NO-GO', reason: `stage ${failedStages.map((s) => s.name).join(', ')} failed` };
  const failedChecks = checks.filter((c) => c.status === 'failed');
  if (failedChecks.length > 0) return { verdict: 'NO-GO', reason: `${failedChecks.length} check(s) failed: ${failedChecks.map((c) => c.id).join(', ')}` };
  if (checks.length === 0) return { verdict: 'NO-GO', reason: 'no check ran, so nothing was verified' };
  const failedItems = checklist.filter((i) => i.status === 'failed');
  if (failedItems.length > 0) return { verdict: 'NO-GO', reason: `checklist item(s) ${failedItems.map((i) => i.id).join(', ')} name checks that did not run` };
  const warnings = checks.filter((c) => c.status === 'warning').length;
  const passed = `all ${stages.length} stages passed and none of ${checks.length} checks failed${warnings > 0 ? ` (${warnings} with warnings to read)` : ''}`;
  const manual = checklist.filter((i) => i.status === 'to-confirm');
  if (manual.length > 0) {
    return { verdict: 'GO-PENDING-SIGN-OFF', reason: `${passed}; ${manual.length} manual checklist item(s) to confirm: ${manual.map((i) => `${i.id} (${i.signOff ?? 'sign-off owner not named'})`).join(', ')}` };
  }
  return { verdict: 'GO', reason: passed };
}

export function checklistStatus(items: readonly { id: string; title: string; checks: readonly string[]; signOff?: string }[], checks: readonly CheckResult[]): ChecklistRecord[] {
  return items.map((item) => {
    if (item.checks.length === 0) return { ...item, status: 'to-confirm' as const };
    const linked = item.checks.map((id) => checks.find((c) => c.id === id || c.id.startsWith(`${id}.`)));
    const passed = linked.every((c) => c !== undefined && (c.status === 'passed' || c.status === 'warning'));
    return { ...item, status: passed ? ('passed' as const) : ('failed' as const) };
  });
}
