import type { DatabaseEngine } from '../engine/types.js';
import { eventLogSince, type EventLogRow } from '../profiles/sample-platform.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';

/** Errors the platform logged since the bill run started fail the rehearsal; warnings are reported. */
export async function checkEventLog(engine: DatabaseEngine, since: string): Promise<CheckResult> {
  const byModule = new Map<string, { errors: number; warnings: number; first: EventLogRow }>();
  const affected = new Set<string>();
  let errors = 0;
  let warnings = 0;
  for await (const row of engine.stream<EventLogRow>(eventLogSince(since))) {
    const key = `${row.level}\u0000${row.module}\u0000${row.action}`;
    const entry = byModule.get(key) ?? { errors: 0, warnings: 0, first: row };
    if (row.level === 'error') {
      entry.errors++;
      errors++;
      if (row.account_number !== null && affected.size < MAX_LISTED_ACCOUNTS) affected.add(row.account_number);
    } else {
      entry.warnings++;
      warnings++;
    }
    byModule.set(key, entry);
  }
  const evidence = [...byModule.values()]
    .sort((a, b) => b.errors - a.errors || b.warnings - a.warnings)
    .slice(0, MAX_EVIDENCE_ROWS)
    .map((e) => ({
      level: e.first.level,
      module: e.first.module,
      action: e.first.action,
      count: e.errors + e.warnings,
      first_at: e.first.logged_at,
      first_message: (e.first.message ?? '').slice(0, 200),
    }));
  return {
    id: 'event-log',
    title: 'No errors in the event log since the bill run started',
    status: errors > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed',
    summary:
      errors > 0
        ? `${errors} error(s) and ${warnings} warning(s) logged since the bill run started`
        : warnings > 0
          ? `no errors; ${warnings} warning(s) logged since the bill run started (e.g. declined or expired cards)`
          : 'no errors or warnings logged since the bill run started',
    ...(errors > 0 ? { affectedAccounts: [...affected], affectedCount: affected.size } : {}),
    evidence,
  };
}
