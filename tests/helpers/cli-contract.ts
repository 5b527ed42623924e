import { spawn, spawnSync } from 'node:child_process';
import { NODE_TS, REHEARSE } from './sample-fixture.js';

export interface CliOutcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `scripts/rehearse.ts` with a short deadline: a command that reads forever is killed and
 * shows as status null rather than holding the test file.
 */
export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliOptions = {}): CliOutcome {
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, ...args], {
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 90_000,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a printed stack or the bug banner looks like. */
export const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(node:)/m;
export const BUG_BANNER = /Unexpected failure|a bug/;

/** As runCli, without blocking: several refusals can be checked side by side. */
export function runCliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliOutcome> {
  const [node, ...loader] = NODE_TS;
  const child = spawn(node, [...loader, REHEARSE, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 90_000,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}
