import { spawn } from 'node:child_process';
import { childEnvironment } from '../runtime/child-environment.js';

export interface NamespaceCommandResult {
  /** The exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly timedOut: boolean;
  /** The last 64 KiB of each stream. */
  readonly stdout: string;
  readonly stderr: string;
}

export interface NamespaceCommandOptions {
  /** The namespace's exec prefix (`ip netns exec <name>`). */
  readonly prefix: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

const KEPT_OUTPUT = 65536;

/**
 * Runs `sh -c command` behind the namespace's prefix in a process group of its own, so that when
 * its timeout passes the whole group (the shell and whatever it started) is killed.
 */
export async function runInNamespace(command: string, options: NamespaceCommandOptions): Promise<NamespaceCommandResult> {
  const [program = 'sh', ...args] = [...options.prefix, 'sh', '-c', command];
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment(options.env), detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(-KEPT_OUTPUT)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-KEPT_OUTPUT)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exit) => resolve(exit));
  }).finally(() => clearTimeout(timer));
  return { code, timedOut, stdout, stderr };
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
