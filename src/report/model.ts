import type { CheckResult } from '../checks/types.js';
import type { SanitizeProof } from '../sanitize/proof.js';
import type { TableMaskResult } from '../sanitize/apply.js';
import type { ProbeResult } from '../sandbox/probes.js';
import type { LedgerEntry, LedgerSummary } from '../sinkholes/ledger.js';

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
  /** The item's probes (src/probes/), each with its own outcome; the item passes only when all do. */
  readonly probes?: readonly { readonly id: string; readonly kind: string; readonly status: 'passed' | 'failed' | 'error' | 'not run' }[];
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
  if (failedItems.length > 0) return { verdict: 'NO-GO', reason: `checklist item(s) ${failedItems.map((i) => i.id).join(', ')} name checks or probes that did not run` };
  const warnings = checks.filter((c) => c.status === 'warning').length;
  const passed = `all ${stages.length} stages passed and none of ${checks.length} checks failed${warnings > 0 ? ` (${warnings} with warnings to read)` : ''}`;
  const manual = checklist.filter((i) => i.status === 'to-confirm');
  if (manual.length > 0) {
    return { verdict: 'GO-PENDING-SIGN-OFF', reason: `${passed}; ${manual.length} manual checklist item(s) to confirm: ${manual.map((i) => `${i.id} (${i.signOff ?? 'sign-off owner not named'})`).join(', ')}` };
  }
  return { verdict: 'GO', reason: passed };
}

/**
 * Each item's status from the checks it names and the probes it carries (each probe reports as the
 * check with its id): passed when all of them passed, failed when any failed or did not run, to
 * confirm when it has neither. Other fields of an item (kinds of item added later) pass through.
 */
export function checklistStatus(
  items: readonly { id: string; title: string; checks: readonly string[]; signOff?: string; probes?: readonly { id: string; spec: { kind: string } }[] }[],
  checks: readonly CheckResult[],
): ChecklistRecord[] {
  return items.map(({ probes = [], ...item }) => {
    const probeRecords = probes.map((p) => {
      const check = checks.find((c) => c.id === p.id);
      const status = check === undefined ? ('not run' as const) : check.status === 'passed' ? ('passed' as const) : check.summary.startsWith('error:') ? ('error' as const) : ('failed' as const);
      return { id: p.id, kind: p.spec.kind, status };
    });
    const withProbes = probeRecords.length > 0 ? { probes: probeRecords } : {};
    if (item.checks.length === 0 && probes.length === 0) return { ...item, status: 'to-confirm' as const };
    const linked = item.checks.map((id) => checks.find((c) => c.id === id || c.id.startsWith(`${id}.`)));
    const passed = linked.every((c) => c !== undefined && (c.status === 'passed' || c.status === 'warning')) && probeRecords.every((p) => p.status === 'passed');
    return { ...item, ...withProbes, status: passed ? ('passed' as const) : ('failed' as const) };
  });
}
