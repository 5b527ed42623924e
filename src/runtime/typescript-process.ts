import { fileURLToPath } from 'node:url';
import { childEnvironment } from './child-environment.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Command line that runs a TypeScript entry point in ONE process (node with the tsx loader), not
 * through the tsx CLI, which would put a wrapper process in front: a `kill -9` of the wrapper
 * would leave the real program running. `env` is the whole environment it should get: the
 * allow-listed basics plus `extraEnv`.
 */
export function typescriptCommand(
  script: string,
  args: readonly string[] = [],
  extraEnv: Readonly<Record<string, string | undefined>> = {},
): { command: string; args: string[]; env: Record<string, string> } {
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), script, ...args], env: childEnvironment(extraEnv) };
}
