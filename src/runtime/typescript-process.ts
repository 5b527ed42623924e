import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Command line that runs a TypeScript entry point in ONE process (node with the tsx loader), not
 * through the tsx CLI, which would put a wrapper process in front: a `kill -9` of the wrapper
 * would leave the real program running.
 */
export function typescriptCommand(script: string, args: readonly string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), script, ...args] };
}
