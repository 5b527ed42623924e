import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from './plan-fixture.js';

/**
 * Generated samples kept on the machine across test files and runs, as the Pulumi engine is:
 * thirty test files each generated their own, about four seconds of CPU apiece. An entry is keyed
 * by the generator's arguments and the content of every source file a generator can run (both
 * stand-ins and src/, which holds the sinkholes production's ledger goes through), so a change to
 * any of them makes a new entry and a stale sample is never served. Tests get a private copy.
 */
const CACHE_ROOT = process.env['REHEARSAL_TEST_SAMPLE_CACHE'] ?? '/var/cache/rehearsal/test-samples';
const SOURCE_FOLDERS = ['src', 'sample-platform', 'engageip-shaped-platform'] as const;
/** Entries not used for this long belong to source trees nobody tests any more. */
const UNUSED_FOR_MS = 2 * 24 * 3600 * 1000;

let sourceDigest: string | undefined;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function digestOfSources(): string {
  if (sourceDigest !== undefined) return sourceDigest;
  const hash = createHash('sha256');
  for (const file of SOURCE_FOLDERS.flatMap((folder) => filesUnder(join(PROJECT_ROOT, folder))).sort()) {
    hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  sourceDigest = hash.digest('hex');
  return sourceDigest;
}

function pruneUnused(): void {
  const now = Date.now();
  for (const entry of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, entry);
    if (now - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Copies into `out` what `command args` writes into the folder named by its `--out` argument,
 * generating it at most once per machine for these arguments and sources. Without a writable
 * cache folder it just generates into `out`.
 */
export function generateSample(command: readonly string[], args: readonly string[], out: string, timeoutMs: number): void {
  const run = (into: string): void => {
    const made = spawnSync(command[0] ?? '', [...command.slice(1), ...args, '--out', into], { encoding: 'utf8', timeout: timeoutMs });
    if (made.status !== 0) throw new Error(`make-sample failed: ${made.stderr}${made.stdout}`);
  };
  try {
    mkdirSync(CACHE_ROOT, { recursive: true });
  } catch {
    run(out);
    return;
  }
  const key = createHash('sha256').update(JSON.stringify([relative(PROJECT_ROOT, command.at(-1) ?? ''), args, digestOfSources()])).digest('hex').slice(0, 32);
  const entry = join(CACHE_ROOT, key);
  if (!existsSync(entry)) {
    pruneUnused();
    const building = join(CACHE_ROOT, `.building-${process.pid}-${Date.now()}`);
    try {
      run(building);
      // Another test file may have finished the same entry meanwhile: the first rename wins, both are equal.
      renameSync(building, entry);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(entry)) throw error;
    }
  }
  const now = new Date();
  utimesSync(entry, now, now);
  cpSync(entry, out, { recursive: true });
}
