import { spawn } from 'node:child_process';
import { NODE_TS, REHEARSE } from './sample-fixture.js';

export interface CliOutcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user (and group), through setpriv. */
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs?: number;
}

/** What a printed stack or the bug banner looks like. */
export const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(node:)/m;
export const BUG_BANNER = /Unexpected failure|a bug/;

/**
 * Runs `scripts/rehearse.ts` with a deadline (a command that reads forever is killed and shows as
 * status null), without blocking: several refusals can be checked side by side.
 */
export function runCliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliOutcome> {
  const [node, ...loader] = NODE_TS;
  // Another user cannot write the test runner's coverage files, so its loader (NODE_OPTIONS) is left out there.
  const asUser = options.uid !== undefined ? ['setpriv', `--reuid=${options.uid}`, `--regid=${options.gid ?? options.uid}`, '--clear-groups', 'env', '-u', 'NODE_OPTIONS', node] : [node];
  const [command = node, ...prefix] = asUser;
  const child = spawn(command, [...prefix, ...loader, REHEARSE, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 90_000,
    // A CLI blocked in a read (a FIFO) never runs its SIGTERM handlers.
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}
