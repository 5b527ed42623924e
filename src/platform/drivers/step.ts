import { UserError } from '../../errors.js';
import { runInNamespace, type NamespaceCommandOptions } from '../../sandbox/run-in-namespace.js';

export interface StepResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one driver step (`sh -c`) behind the namespace's prefix, killed when its timeout passes. */
export async function runStep(step: string, command: string, options: NamespaceCommandOptions): Promise<StepResult> {
  const { code, timedOut, stdout, stderr } = await runInNamespace(command, options);
  if (timedOut) throw new UserError(`The driver's \`${step}\` step did not finish within ${options.timeoutSeconds} s and was stopped (\`${command}\`). Raise its \`timeoutSeconds\` in the adapter if the platform is slow.`, 1);
  if (code !== 0) throw new UserError(`The driver's \`${step}\` step failed (exit ${code}): \`${command}\`\n${tail(stderr || stdout)}`, 1);
  return { stdout, stderr };
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
