import { mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync, symlinkSync, rmSync, lstatSync, existsSync, readlinkSync } from 'node:fs';
import type { ReleaseNoteRecord } from '../release-notes/outcome.js';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import type { CheckResult } from '../checks/types.js';
import type { IsolationProof } from '../sandbox/probes.js';
import type { SanitizeProof } from '../sanitize/proof.js';
import type { TableMaskResult } from '../sanitize/apply.js';

/**
 * A stage that passed, with what it produced that later stages and the report need. Resume
 * reads it back, but only after checking it against the files and the database marker.
 */
export interface CompletedStage {
  readonly durationMs: number;
  readonly detail?: string;
  readonly finishedAt: string;
  /**
   * The copy's fingerprint right after the stage, so a changed copy is never trusted: a SQLite
   * file's sha256, or the seal written into a SQL Server copy (see `src/run/copy-seal.ts`).
   */
  readonly databaseSha256?: string;
  readonly checks: readonly CheckResult[];
  readonly sanitize?: { readonly tables: readonly TableMaskResult[]; readonly proof: SanitizeProof };
  readonly isolationProof?: IsolationProof;
  readonly releaseNotes?: readonly ReleaseNoteRecord[];
}

/**
 * A run folder holds one rehearsal: `work/` (the database copy, sockets, logs; removed by destroy)
 * and the report files (kept). `state.json` records what exists so destroy can remove it.
 */
export interface RunState {
  readonly runId: string;
  readonly planFile: string;
  readonly createdAt: string;
  /** Process that owns the run; a dead owner marks leftovers of a killed run. */
  ownerPid: number;
  namespace?: string;
  /** SQLite: the copy in `work/`. */
  databasePath?: string;
  /**
   * SQL Server: every database this run restored or attached, newest last (a resumed run restores
   * under a new name). Destroy drops those the run created and that carry its marker.
   */
  sqlServerCopies?: SqlServerCopy[];
  servicePid?: number;
  isolationProven?: boolean;
  sanitizeProofPassed?: boolean;
  billRunStartedAt?: string;
  /** When the control run (`verify.control`) started: its ledger entries are those from then until `billRunStartedAt`. */
  controlStartedAt?: string;
  destroyedAt?: string;
  /** sha256 of the plan and of its rule set when the run started; a changed input is never resumed onto. */
  inputsSha256?: string;
  /** Stages that passed, by name (see CompletedStage). */
  completed?: Record<string, CompletedStage>;
  /** Set once the report is written: the run is over and is never resumed. */
  reportedAt?: string;
  /** The sandbox is gone but the database copy was kept so the run can be resumed. */
  keptForResume?: boolean;
  /**
   * Set when a failure before the sanitize proof passed deleted the unsanitized copy: a resume
   * restores again.
   */
  unsanitizedCopyDeletedAt?: string;
  /** SQL Server: why the state differential's extra databases could not be made (the server cannot, or making them failed). */
  stateDifferentialUnavailable?: { readonly status: 'skipped' | 'failed'; readonly reason: string };
  /** Each time the run was resumed: when, and what was done again and why. */
  resumes?: { readonly at: string; readonly ownerPid: number; readonly redo: readonly string[] }[];
}

export interface SqlServerCopy {
  readonly database: string;
  /** False for a database Pulumi restored from a DB snapshot: the stack owns it, not the run. */
  readonly createdByRun: boolean;
  /**
   * Set on the state differential's extra databases: the copy as it was just before the bill run,
   * or production's result masked alike. Unset on the copy the run works on.
   */
  readonly role?: 'before-bill-run' | 'production-masked';
  /** The database it was made from (the run's copy, or production's result). */
  readonly of?: string;
  /** A database snapshot: read-only, dropped before the database it is a snapshot of. */
  readonly snapshot?: boolean;
  /**
   * The backup file on the server this copy was restored from, while it exists: recorded before the
   * backup starts, removed once the server has deleted it; `rehearse down` tries again.
   */
  readonly backupFile?: string;
}

/** The copy without its backup file: the server has deleted it. */
export function withoutBackupFile(copy: SqlServerCopy): SqlServerCopy {
  const { backupFile: _deleted, ...rest } = copy;
  return rest;
}

export interface RunFolder {
  readonly runId: string;
  readonly dir: string;
  readonly workDir: string;
  readonly state: RunState;
  save(): void;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function createRunFolder(reportsDir: string, planFile: string, runId = newRunId(), inputsSha256?: string): RunFolder {
  const dir = resolve(reportsDir, runId);
  const workDir = join(dir, 'work');
  mkdirSync(workDir, { recursive: true });
  const state: RunState = { runId, planFile, createdAt: new Date().toISOString(), ownerPid: process.pid, ...(inputsSha256 !== undefined ? { inputsSha256 } : {}), completed: {} };
  const folder = makeFolder(runId, dir, workDir, state);
  folder.save();
  pointLatestAt(reportsDir, runId);
  return folder;
}

function makeFolder(runId: string, dir: string, workDir: string, state: RunState): RunFolder {
  return {
    runId,
    dir,
    workDir,
    state,
    save() {
      const tmp = join(dir, 'state.json.tmp');
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, join(dir, 'state.json'));
    },
  };
}

/** Opens an existing run by id, `latest`, or a path to its folder. */
export function openRunFolder(reportsDir: string, ref: string): RunFolder {
  const dir = ref === 'latest' ? resolveLatest(reportsDir) : existsSync(ref) ? resolve(ref) : resolve(reportsDir, ref);
  const stateFile = join(dir, 'state.json');
  if (!existsSync(stateFile)) {
    throw new UserError(`No rehearsal run at ${dir} (no state.json). List runs with \`ls ${reportsDir}\` and pass a run id.`);
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RunState;
  return makeFolder(state.runId, dir, join(dir, 'work'), state);
}

/** Every run in `reportsDir`, newest first. */
export function listRunFolders(reportsDir: string): RunFolder[] {
  if (!existsSync(reportsDir)) return [];
  return readdirSync(reportsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(reportsDir, e.name, 'state.json')))
    .map((e) => openRunFolder(reportsDir, e.name))
    .sort((a, b) => b.state.createdAt.localeCompare(a.state.createdAt));
}

/** Makes `reports/latest` point at this run (a resumed run becomes the latest again). */
export function markLatest(folder: RunFolder): void {
  pointLatestAt(dirname(folder.dir), folder.runId);
}

function resolveLatest(reportsDir: string): string {
  const link = join(reportsDir, 'latest');
  if (!existsSync(link)) throw new UserError(`There is no latest run in ${reportsDir}. Run a rehearsal first.`);
  return resolve(reportsDir, readlinkSync(link));
}

function pointLatestAt(reportsDir: string, runId: string): void {
  const link = join(reportsDir, 'latest');
  const tmp = join(reportsDir, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(runId, tmp);
  renameSync(tmp, link);
}

export function removeWorkDir(folder: RunFolder): void {
  if (existsSync(folder.workDir) && lstatSync(folder.workDir).isDirectory()) {
    rmSync(folder.workDir, { recursive: true, force: true });
  }
}

/** Write errors a cleanup goes on after: what it removed is gone whether or not it can be recorded. */
const CLEANUP_WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
};

/**
 * Saves the state during a cleanup. A full disk or a read-only file system does not stop the
 * cleanup: `warn` is told what could not be recorded, and the cleanup goes on.
 */
export function saveDuringCleanup(folder: RunFolder, warn: (message: string) => void): void {
  try {
    folder.save();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = CLEANUP_WRITE_ERRORS[code];
    if (why === undefined) throw error;
    try {
      rmSync(join(folder.dir, 'state.json.tmp'), { force: true });
    } catch {
      // on a read-only file system there is nothing to undo
    }
    warn(`could not record the cleanup in ${join(folder.dir, 'state.json')} (${code}: ${why}); what was removed is gone all the same`);
  }
}
