import { spawn } from 'node:child_process';
import { UserError } from '../../errors.js';
import { childEnvironment } from '../../runtime/child-environment.js';

export interface StepResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one driver step (`sh -c`) behind the namespace's prefix, killed when its timeout passes. */
export async function runStep(step: string, command: string, options: { prefix: readonly string[]; env: Readonly<Record<string, string>>; timeoutSeconds: number }): Promise<StepResult> {
  const [program = 'sh', ...args] = [...options.prefix, 'sh', '-c', command];
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment(options.env), detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(-65536)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-65536)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exit) => resolve(exit));
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new UserError(`The driver's \`${step}\` step did not finish within ${options.timeoutSeconds} s and was stopped (\`${command}\`). Raise its \`timeoutSeconds\` in the adapter if the platform is slow.`, 1);
  if (code !== 0) throw new UserError(`The driver's \`${step}\` step failed (exit ${code}): \`${command}\`\n${tail(stderr || stdout)}`, 1);
  return { stdout, stderr };
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
