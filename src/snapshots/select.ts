import { UserError } from '../errors.js';
import { WEAK_TIME_SOURCES, type BackupCandidate, type JudgedCandidate } from './types.js';

export interface SelectionInput {
  readonly candidates: readonly BackupCandidate[];
  /** ISO 8601: when production's bill run started. */
  readonly billRunStartedAt: string;
  /** Where that time came from, for the report ("production's result, bill_runs", "the plan"). */
  readonly billRunStartedFrom: string;
  readonly maxAgeHours?: number;
}

/** The pick and every candidate with its part in it, or why nothing may be restored. */
export interface SnapshotSelection {
  readonly billRunStartedAt: string;
  readonly billRunStartedFrom: string;
  readonly maxAgeHours?: number;
  readonly candidates: readonly JudgedCandidate[];
  readonly picked?: JudgedCandidate;
  /** Why the picked one: one sentence for the report. */
  readonly reason?: string;
  /** Set when the time of the pick was not recorded by the backup itself. */
  readonly warning?: string;
  /** Set when nothing may be restored: the rehearsal refuses with this. */
  readonly refusal?: string;
}

const HOUR_MS = 3_600_000;

/** For ordering: a candidate without a readable time goes last. */
function timeOf(candidate: BackupCandidate): number {
  const time = Date.parse(candidate.takenAt ?? '');
  return Number.isNaN(time) ? -Infinity : time;
}

function hoursBetween(earlier: string, later: string): number {
  return (Date.parse(later) - Date.parse(earlier)) / HOUR_MS;
}

function formatHours(hours: number): string {
  if (hours < 1 / 60) return `${Math.round(hours * 3600)} s`;
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  return hours < 10 ? `${hours.toFixed(1)} h` : `${Math.round(hours)} h`;
}

/**
 * Picks the newest backup taken strictly before production's bill run started. Refuses (with the
 * candidates) when a backup's time cannot be read, since it might be the right one; when none
 * was taken before the bill run; and when the newest before it is older than `maxAgeHours`.
 * Two backups taken at the same instant are told apart by id, so the pick never depends on
 * listing order.
 */
export function selectBackup(input: SelectionInput): SnapshotSelection {
  const { billRunStartedAt, billRunStartedFrom, maxAgeHours } = input;
  const start = Date.parse(billRunStartedAt);
  if (Number.isNaN(start)) throw new Error(`unreachable: bill run start ${billRunStartedAt} is not a time`);
  const base = { billRunStartedAt, billRunStartedFrom, ...(maxAgeHours !== undefined ? { maxAgeHours } : {}) };

  const readable = input.candidates.filter((c) => c.problem === undefined && c.takenAt !== undefined && !Number.isNaN(Date.parse(c.takenAt)));
  const before = readable.filter((c) => Date.parse(c.takenAt ?? '') < start);
  const newest = [...before].sort((a, b) => timeOf(b) - timeOf(a) || a.id.localeCompare(b.id))[0];
  const judged: JudgedCandidate[] = input.candidates
    .map((c): JudgedCandidate => {
      if (!readable.includes(c)) return { ...c, status: 'unreadable', problem: c.problem ?? `its time ${c.takenAt ?? '(none)'} is not a time` };
      if (!before.includes(c)) return { ...c, status: 'taken after the bill run started' };
      return { ...c, status: c === newest ? 'picked' : 'older than the picked one' };
    })
    .sort((a, b) => timeOf(b) - timeOf(a) || a.id.localeCompare(b.id));

  const unreadable = judged.filter((c) => c.status === 'unreadable');
  if (unreadable.length > 0) {
    return {
      ...base,
      candidates: judged.map((c) => (c.status === 'picked' ? { ...c, status: 'older than the picked one' as const } : c)),
      refusal: `cannot tell when ${unreadable.map((c) => `${c.id} was taken (${c.problem ?? 'unreadable'})`).join('; ')}, so it may be the backup to restore. Repair or remove ${unreadable.length === 1 ? 'it' : 'them'} from the catalogue`,
    };
  }
  if (newest === undefined) {
    return {
      ...base,
      candidates: judged,
      refusal:
        input.candidates.length === 0
          ? 'the catalogue holds no backup'
          : `none of the ${input.candidates.length} backups was taken before production's bill run started at ${billRunStartedAt} (${billRunStartedFrom}); restoring one taken after it would rehearse a state that was already billed`,
    };
  }
  const picked = judged.find((c) => c.status === 'picked');
  const age = hoursBetween(newest.takenAt ?? '', billRunStartedAt);
  if (maxAgeHours !== undefined && age > maxAgeHours) {
    return {
      ...base,
      candidates: judged.map((c) => (c.status === 'picked' ? { ...c, status: 'older than snapshot.maxAgeHours' as const } : c)),
      refusal: `the newest backup taken before production's bill run started at ${billRunStartedAt}, ${newest.id} (taken ${newest.takenAt}), is ${formatHours(age)} older than it, more than \`snapshot.maxAgeHours\` (${maxAgeHours}); it would miss what changed in between. Take a backup closer to the bill run, or raise the limit`,
    };
  }
  const later = judged.filter((c) => c.status === 'taken after the bill run started').length;
  const recorded = newest.recordedIn !== undefined ? ` in ${newest.recordedIn}` : '';
  const reason =
    `${newest.id} was taken ${newest.takenAt} (${newest.timeSource ?? 'time'}${recorded}), ${formatHours(age)} before production's bill run started at ${billRunStartedAt} (${billRunStartedFrom}): ` +
    `the newest of ${before.length} backup${before.length === 1 ? '' : 's'} taken before it` +
    `${later > 0 ? `; ${later} taken after it ${later === 1 ? 'was' : 'were'} left out` : ''}` +
    `${maxAgeHours !== undefined ? `; within \`snapshot.maxAgeHours\` (${maxAgeHours})` : ''}`;
  const weak = newest.timeSource !== undefined && WEAK_TIME_SOURCES.has(newest.timeSource);
  return {
    ...base,
    candidates: judged,
    ...(picked !== undefined ? { picked } : {}),
    reason,
    ...(weak
      ? { warning: `the time of ${newest.id} is its ${newest.timeSource}, which a copy or a touch changes; record the time the backup was taken (a sidecar \`<file>.json\` with \`takenAt\`, or object metadata) so the pick does not rest on it` }
      : {}),
  };
}

/** A refusal as the error the entry point turns into exit 2, with every candidate listed. */
export class SnapshotSelectionError extends UserError {
  constructor(
    readonly selection: SnapshotSelection,
    readonly catalogue: string,
  ) {
    super(`Cannot pick a backup from the snapshot catalogue ${catalogue}: ${selection.refusal ?? 'no backup qualifies'}.\nCandidates:\n${candidateLines(selection).join('\n')}`);
    this.name = 'SnapshotSelectionError';
  }
}

/** One line per candidate, newest first, for the terminal and error messages. */
export function candidateLines(selection: SnapshotSelection): string[] {
  if (selection.candidates.length === 0) return ['  (none)'];
  return selection.candidates.map((c) => {
    const when = c.takenAt !== undefined ? `${c.takenAt} (${c.timeSource ?? 'time'}${c.recordedIn !== undefined ? ` in ${c.recordedIn}` : ''})` : 'time unknown';
    const mark = c.status === 'picked' ? '→' : ' ';
    return `  ${mark} ${c.id}  ${when}  ${c.status}${c.problem !== undefined && c.status === 'unreadable' ? `: ${c.problem}` : ''}`;
  });
}
