import { existsSync } from 'node:fs';
import { computeStateDifferential, type StateDifferential } from '../differential/state-differential.js';
import { computeStateDifferentialOnServer } from '../differential/state-differential-tsql.js';
import type { ServerDatabases } from '../differential/compare-tsql.js';
import type { DatabaseEngine } from '../engine/types.js';
import { DEFAULT_RULES, type AccountIdentity, type DifferentialRules } from '../differential/rules.js';
import type { Releases } from '../differential/compare-sql.js';
import { MAX_DIFFERING_ACCOUNTS, type CellValue } from '../differential/differences.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { CAUSES_TITLE, causeRows, likelyCauseClause } from './cause-ranking.js';
import { likelyCauseCell, rankStateCauses, type AccountTraitSource } from './state-differential-causes.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';
import { LabelledSummary } from '../release-notes/labelled-summary.js';

const ID = 'state-differential';
const TITLE = "Every table the bill run changed matches what production's bill run changed";

export interface StateDifferentialFiles {
  readonly billed: string;
  readonly beforeBillRun: string;
  readonly productionMasked: string;
}

/** Differences show values only where they cannot be personal data that a rule set missed. */
function shown(value: CellValue): string {
  if (value === null) return 'NULL';
  const text = String(value);
  // E-mail addresses, and digit runs as long as phone, card or bank numbers (dates aside).
  if (/@|\d(?:[ .\-/]?\d){8,}/.test(text.replace(/\d{4}-\d\d-\d\d/g, ''))) return '(withheld: may be personal data)';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Not comparable here (another engine, or a run whose files are missing): said so, never passed. */
export function stateDifferentialNotRun(reason: string, status: 'skipped' | 'failed'): CheckResult {
  return { id: ID, title: TITLE, status, summary: reason };
}

/**
 * `traits`, when given, is read once after a failed comparison to rank the differing accounts'
 * traits by lift (which kind of account the differences hit); a passing comparison never reads it.
 */
export async function checkStateDifferential(files: StateDifferentialFiles, rules: DifferentialRules, accounts: AccountIdentity, releases: Releases, traits?: AccountTraitSource, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult> {
  const missing = Object.entries(files).filter(([, path]) => !existsSync(path));
  if (missing.length > 0) {
    return stateDifferentialNotRun(`could not compare: ${missing.map(([what, path]) => `${what} (${path})`).join(', ')} is missing; run the rehearsal again with --fresh`, 'failed');
  }
  const summary = releaseNotes === undefined ? undefined : new LabelledSummary(releaseNotes, ID);
  const result = await computeStateDifferential({ ...files, rules, accounts, releases, ...(summary !== undefined ? { summary } : {}) });
  summary?.finish();
  return describeStateDifferential(result, traits);
}

/**
 * The same check on SQL Server: the billed copy (`main`), the copy as it was before the bill run
 * (`pre`) and production's masked result (`prod`) are databases on the server `engine` is
 * connected to, compared there by three-part names; only differing rows reach Node.
 */
export async function checkStateDifferentialOnServer(engine: DatabaseEngine, databases: ServerDatabases, rules: DifferentialRules, accounts: AccountIdentity, releases: Releases, traits?: AccountTraitSource, releaseNotes?: ReleaseNoteLabeller): Promise<CheckResult> {
  const summary = releaseNotes === undefined ? undefined : new LabelledSummary(releaseNotes, ID);
  const result = await computeStateDifferentialOnServer(engine, databases, { rules, accounts, releases, ...(summary !== undefined ? { summary } : {}) });
  summary?.finish();
  return describeStateDifferential(result, traits);
}

/** The check's result from a computed differential, whichever engine computed it. */
export async function describeStateDifferential(result: StateDifferential, traits?: AccountTraitSource): Promise<CheckResult> {
  const { summary } = result;
  const groups = summary.sortedGroups();
  const shownGroups = groups.slice(0, MAX_EVIDENCE_ROWS);
  const failed = summary.rows > 0 || result.schemaDifferences.length > 0;
  const causes = traits !== undefined && summary.accounts.size > 0 ? await rankStateCauses(summary, shownGroups, traits) : undefined;
  const capped = summary.accounts.size >= MAX_DIFFERING_ACCOUNTS ? ` (at least; causes are ranked on the first ${MAX_DIFFERING_ACCOUNTS.toLocaleString('en-US')})` : '';
  const rows =
    summary.rows === 0
      ? ''
      : `${summary.rows.toLocaleString('en-US')} row(s) differ from production's bill run in ${new Set(groups.map((g) => g.table)).size} table(s)` +
        `${summary.accounts.size > 0 ? `, ${summary.accounts.size.toLocaleString('en-US')} account(s)${capped}` : ''}: ` +
        groups.slice(0, 3).map((g) => `${g.table}.${g.what} (${g.rows.toLocaleString('en-US')})`).join(', ') +
        (causes !== undefined ? likelyCauseClause(causes.ranked, causes.affected, causes.all) : '');
  const schema =
    result.schemaDifferences.length === 0
      ? ''
      : `tables whose columns differ: ${result.schemaDifferences.join(', ')}; a change the release meant goes in the plan's verify.stateDifferential.ignore (table, or table.column for an added column), with a reason`;
  const headline = failed ? [rows, schema].filter((part) => part !== '').join('; ') : `${result.tablesCompared.length} tables compared row by row: the bill run changed them exactly as production's did`;
  const accounts = [...summary.accounts].sort();
  return {
    id: ID,
    title: TITLE,
    status: failed ? 'failed' : 'passed',
    summary: headline,
    ...(accounts.length > 0 ? { affectedAccounts: accounts.slice(0, MAX_LISTED_ACCOUNTS), affectedCount: accounts.length } : {}),
    evidence: shownGroups.map((g) => {
      const column = g.example.columns.find((c) => c.column === g.what);
      return {
        table: g.table,
        difference: g.what,
        rows: g.rows,
        accounts: g.accounts.size,
        'example row': shown(g.example.row),
        'example account': g.example.account ?? '—',
        rehearsal: column === undefined ? '—' : shown(column.rehearsal),
        production: column === undefined ? '—' : shown(column.production),
        ...(causes !== undefined ? { 'likely cause': likelyCauseCell(causes.likelyByGroup.get(g)) } : {}),
      };
    }),
    sections: [
      ...(causes !== undefined ? [{ title: `Differing accounts ${CAUSES_TITLE}`, rows: causeRows(causes.ranked, causes.affected, causes.all) }] : []),
      {
        title: 'Not compared, and why',
        rows: [
          ...result.ignored.map((i) => ({ what: i.what, why: `plan: ${i.reason}` })),
          ...[...DEFAULT_RULES, ...result.engineRules].map((rule) => ({ what: 'every table', why: rule })),
          ...result.rawReferences.map((r) => ({ what: r, why: 'added rows compared by the referenced key as stored: the referenced table has no unique key' })),
        ],
      },
    ],
  };
}
