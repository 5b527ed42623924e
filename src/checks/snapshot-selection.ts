import type { SnapshotSelection } from '../snapshots/select.js';
import type { CheckResult } from './types.js';

/**
 * Which backup of the catalogue was restored and why, with every candidate: a warning when the
 * backup's time is one that a copy or a touch changes (file mtime, S3 upload time).
 */
export function snapshotSelectionCheck(selection: SnapshotSelection & { readonly catalogue: string }): CheckResult {
  return {
    id: 'snapshot-selection',
    title: `Backup picked from the snapshot catalogue ${selection.catalogue}`,
    status: selection.warning !== undefined ? 'warning' : 'passed',
    summary: `${selection.reason ?? ''}.${selection.warning !== undefined ? ` Warning: ${selection.warning}.` : ''}`,
    evidence: selection.candidates.map((c) => ({
      backup: c.id,
      'taken at': c.takenAt ?? null,
      'time from': c.recordedIn !== undefined ? `${c.timeSource ?? ''} (${c.recordedIn})` : (c.timeSource ?? null),
      status: c.status,
    })),
  };
}
