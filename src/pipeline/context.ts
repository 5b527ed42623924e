import type { Plan } from '../plan/types.js';
import type { RunFolder } from '../run/run-folder.js';
import type { Progress } from '../ui/progress.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { IsolationProof } from '../sandbox/probes.js';
import type { LedgerDigest } from '../sinkholes/ledger.js';
import type { DatabaseEngine } from '../engine/types.js';
import type { CheckResult } from '../checks/types.js';
import type { ScenarioBaseline } from '../checks/baseline.js';
import type { SanitizeProof } from '../sanitize/proof.js';
import type { TableMaskResult } from '../sanitize/apply.js';
import type { ReleaseNoteRecord } from '../release-notes/outcome.js';

/** What one run carries from stage to stage. */
export interface RunContext {
  readonly plan: Plan;
  readonly run: RunFolder;
  readonly progress: Progress;
  sandbox?: Sandbox;
  isolationProof?: IsolationProof;
  /** What the platform tried to send during the bill run, as the sinkholes caught it. */
  ledger?: LedgerDigest;
  /** The restored copy; open between restore and verify, closed while the platform bills. */
  engine?: DatabaseEngine;
  baseline?: ScenarioBaseline;
  sanitize?: { tables: TableMaskResult[]; proof: SanitizeProof };
  readonly checks: CheckResult[];
  /** What each release note explained, once verify ran. */
  releaseNotes?: readonly ReleaseNoteRecord[];
}

/** A stage's outcome: a short detail for the stage table; throwing means the stage failed. */
export type Stage = (ctx: RunContext) => Promise<string | undefined>;
