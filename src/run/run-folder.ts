import { mkdirSync, readFileSync, writeFileSync, renameSync, symlinkSync, rmSync, lstatSync, existsSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

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
  databasePath?: string;
  servicePid?: number;
  isolationProven?: boolean;
  sanitizeProofPassed?: boolean;
  billRunStartedAt?: string;
  destroyedAt?: string;
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

export function createRunFolder(reportsDir: string, planFile: string, runId = newRunId()): RunFolder {
  const dir = resolve(reportsDir, runId);
  const workDir = join(dir, 'work');
  mkdirSync(workDir, { recursive: true });
  const state: RunState = { runId, planFile, createdAt: new Date().toISOString(), ownerPid: process.pid };
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
