import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from './child-environment.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Names a JSON file `{ "<entry point .ts, absolute>": "<the same program bundled, .mjs>" }`: entry
 * points bundled ahead of time start in about half the CPU of tsx loading their modules one by one.
 * The test suite builds and sets it (tests/setup/prebuilt-entries.ts); without it, or for an entry
 * point it does not name, a child runs from source.
 */
export const PREBUILT_ENTRIES_ENV = 'REHEARSAL_PREBUILT_ENTRIES';

let prebuilt: { file: string; entries: Readonly<Record<string, string>> } | undefined;

function prebuiltEntry(script: string): string | undefined {
  const file = process.env[PREBUILT_ENTRIES_ENV];
  if (file === undefined || file === '') return undefined;
  if (prebuilt?.file !== file) {
    try {
      prebuilt = { file, entries: JSON.parse(readFileSync(file, 'utf8')) as Record<string, string> };
    } catch {
      prebuilt = { file, entries: {} };
    }
  }
  return prebuilt.entries[resolve(script)];
}

/**
 * Command line that runs a TypeScript entry point in ONE process (node with the tsx loader), not
 * through the tsx CLI, which would put a wrapper process in front: a `kill -9` of the wrapper
 * would leave the real program running. `env` is the whole environment it should get: the
 * allow-listed basics plus `extraEnv` (and the prebuilt entry points, so its own children use them too).
 */
export function typescriptCommand(
  script: string,
  args: readonly string[] = [],
  extraEnv: Readonly<Record<string, string | undefined>> = {},
): { command: string; args: string[]; env: Record<string, string> } {
  const bundled = prebuiltEntry(script);
  if (bundled !== undefined) return { command: process.execPath, args: [bundled, ...args], env: childEnvironment({ [PREBUILT_ENTRIES_ENV]: process.env[PREBUILT_ENTRIES_ENV], ...extraEnv }) };
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), script, ...args], env: childEnvironment(extraEnv) };
}
