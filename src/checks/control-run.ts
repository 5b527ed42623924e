import { existsSync } from 'node:fs';
import { computeStateDifferential, type StateDifferential } from '../differential/state-differential.js';
import type { AccountIdentity, DifferentialRules } from '../differential/rules.js';
import type { Releases } from '../differential/compare-sql.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import type { ReleaseNoteLabeller } from '../release-notes/labeller.js';
import { LabelledSummary } from '../release-notes/labelled-summary.js';

export interface ControlFiles {
  /** The candidate's billed copy. */
  readonly candidate: string;
  /** The control copy, billed by production's release in the same sandbox. */
  readonly control: string;
  /** The state both copies started from. */
  readonly beforeBillRun: string;
  /** Production's result, masked with this run's key. */
  readonly productionMasked: string;
}

/** Tables and fields that differ, most rows first: `table.column (rows)`. */
function named(result: StateDifferential, limit = 5): string {
  return result.summary
    .sortedGroups()
    .slice(0, limit)
    .map((g) => `${g.table}.${g.what} (${g.rows.toLocaleString('en-US')})`)
    .join(', ');
}

function evidence(result: StateDifferential): CheckResult['evidence'] {
  return result.summary
    .sortedGroups()
    .slice(0, MAX_EVIDENCE_ROWS)
    .map((g) => ({ table: g.table, difference: g.what, rows: g.rows, accounts: g.accounts.size, 'example account': g.example.account ?? '—' }));
}

function differs(result: StateDifferential): boolean {
  return result.summary.rows > 0 || result.schemaDifferences.length > 0;
}

/**
 * The control run's two comparisons, over the state differential: candidate against control is
 * the release's effect (any difference fails: both ran from the same copy in the same sandbox), and
 * control against production's result is the environment's noise (masked data, sinkholes, clock),
 * a warning above `noiseRows` naming its tables and fields, never a failure of the release.
 */
export async function checkControlRun(
  files: ControlFiles,
  rules: DifferentialRules,
  accounts: AccountIdentity,
  releases: { candidate?: string; control?: string; production?: string },
  noiseRows: number,
  releaseNotes?: ReleaseNoteLabeller,
): Promise<CheckResult[]> {
  const missing = Object.entries(files).filter(([, path]) => !existsSync(path));
  if (missing.length > 0) {
    const why = `could not compare: ${missing.map(([what, path]) => `${what} (${path})`).join(', ')} is missing; run the rehearsal again with --fresh`;
    return [
      { id: 'control.release-effect', title: 'The candidate billed exactly as the production release did in the same sandbox', status: 'failed', summary: why },
      { id: 'control.environment-noise', title: "The sandbox's production-release bill run matches production's own", status: 'skipped', summary: why },
    ];
  }
  const compare = (billed: string, reference: string, sides: Releases, summary?: LabelledSummary): Promise<StateDifferential> =>
    computeStateDifferential({ billed, beforeBillRun: files.beforeBillRun, productionMasked: reference, rules, accounts, releases: sides, ...(summary !== undefined ? { summary } : {}) });
  // The release's effect is what release notes explain; the environment's noise is not the release's.
  const labelled = releaseNotes === undefined ? undefined : new LabelledSummary(releaseNotes, 'control.release-effect');
  const effect = await compare(files.candidate, files.control, { main: releases.candidate, prod: releases.control }, labelled);
  labelled?.finish();
  const noise = await compare(files.control, files.productionMasked, { main: releases.control, prod: releases.production });
  const effectAccounts = [...effect.summary.accounts].sort();
  const noisy = noise.summary.rows > noiseRows || noise.schemaDifferences.length > 0;
  return [
    {
      id: 'control.release-effect',
      title: 'The candidate billed exactly as the production release did in the same sandbox',
      status: differs(effect) ? 'failed' : 'passed',
      summary: differs(effect)
        ? `the release changed ${effect.summary.rows.toLocaleString('en-US')} row(s) differently from production's release on the same copy: ${named(effect)}${effect.schemaDifferences.length > 0 ? `; tables whose columns differ: ${effect.schemaDifferences.join(', ')}` : ''}`
        : `${effect.tablesCompared.length} tables compared: the candidate changed them exactly as production's release did in the same sandbox`,
      ...(effectAccounts.length > 0 ? { affectedAccounts: effectAccounts.slice(0, MAX_LISTED_ACCOUNTS), affectedCount: effectAccounts.length } : {}),
      evidence: evidence(effect),
    },
    {
      id: 'control.environment-noise',
      title: "The sandbox's production-release bill run matches production's own",
      status: noisy ? 'warning' : 'passed',
      summary: noisy
        ? `the rehearsal environment is not faithful: production's release billed ${noise.summary.rows.toLocaleString('en-US')} row(s) here differently from production (threshold ${noiseRows}): ${named(noise)}. ` +
          'These differences come from the environment (masked data, sinkholes, clock), not the release; comparisons with production in these tables and fields say little'
        : `zero noise beyond the threshold (${noise.summary.rows} row(s), threshold ${noiseRows}): production's release billed ${noise.tablesCompared.length} tables here as production did`,
      evidence: evidence(noise),
    },
  ];
}
