import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { NODE_TS, REHEARSE, rehearse } from './sample-fixture.js';
import { waitFor } from './wait-for.js';

/** The parts of a run's state.json these tests read. */
export interface RunState {
  runId: string;
  namespace?: string;
  servicePid?: number;
  billRunStartedAt?: string;
  completed?: Record<string, { finishedAt: string }>;
  resumes?: { redo: string[] }[];
  reportedAt?: string;
  destroyedAt?: string;
  keptForResume?: boolean;
}

export function reportsOf(plan: string): string {
  return join(dirname(plan), 'reports');
}

export function stateOf(reports: string, runId: string): RunState {
  return JSON.parse(readFileSync(join(reports, runId, 'state.json'), 'utf8')) as RunState;
}

/** The newest run's state, or undefined before it exists (or while a read races its atomic rename). */
export function latestState(reports: string): RunState | undefined {
  try {
    return stateOf(reports, readlinkSync(join(reports, 'latest')));
  } catch {
    return undefined;
  }
}

/**
 * An environment whose rehearsals record their sandboxes in a folder of this test's own
 * (REHEARSAL_RUN_DIR). Every rehearsal sweeps the sandboxes of dead runs it finds recorded, with
 * the processes inside; a killed run of this test is then found only by the rehearsals this test
 * starts, never by another test file's, so what the test asserts about it does not depend on them.
 * The teardown removes whatever a failed assertion left: frozen services, sandboxes, copies.
 */
export function privateRunEnv(t: Test, reportsDirs: () => string[]): NodeJS.ProcessEnv {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-run-'));
  const env = { ...process.env, REHEARSAL_RUN_DIR: runDir };
  t.teardown(() => {
    for (const reports of reportsDirs()) {
      for (const runId of existsSync(reports) ? readdirSync(reports) : []) {
        if (!existsSync(join(reports, runId, 'state.json'))) continue;
        const state = stateOf(reports, runId);
        if (state.servicePid !== undefined && isProcessAlive(state.servicePid)) process.kill(state.servicePid, 'SIGKILL');
        if (state.destroyedAt === undefined) rehearse(['down', '--reports', reports, runId], env);
      }
    }
    rmSync(runDir, { recursive: true, force: true });
  });
  return env;
}

export interface InterruptedRun {
  /** The run's state when its billing service was frozen. */
  readonly state: RunState;
  /** How the `rehearse all` process ended after the signal. */
  readonly exitCode: number | null;
  readonly stderr: string;
}

/**
 * Starts `rehearse all`, waits until its billing service runs, freezes the service (SIGSTOP) and
 * sends `signal` to the run. The service stays frozen: it can neither finish the bill run nor
 * notice its parent is gone, so whatever removes it afterwards finds it, on any machine load.
 */
export async function interruptBillRun(plan: string, env: NodeJS.ProcessEnv, signal: NodeJS.Signals = 'SIGKILL'): Promise<InterruptedRun> {
  const reports = reportsOf(plan);
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, 'all', plan], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    const state = await waitFor(
      'the billing service to run',
      () => {
        const current = latestState(reports);
        return current?.servicePid !== undefined ? current : undefined;
      },
      { timeoutMs: 100_000, giveUp: () => (child.exitCode !== null ? `the run exited with ${child.exitCode} first:\n${stderr}` : undefined) },
    );
    // Throws when the service is already gone: the bill run ended before the test could interrupt it.
    process.kill(state.servicePid!, 'SIGSTOP');
    child.kill(signal);
    return { state, exitCode: await exited, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}
