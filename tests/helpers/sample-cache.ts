import { spawn, spawnSync } from 'node:child_process';
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

function entryFor(command: readonly string[], args: readonly string[]): string {
  const key = createHash('sha256').update(JSON.stringify([relative(PROJECT_ROOT, command.at(-1) ?? ''), args, digestOfSources()])).digest('hex').slice(0, 32);
  return join(CACHE_ROOT, key);
}

function commandLine(command: readonly string[], args: readonly string[], into: string): [string, string[]] {
  return [command[0] ?? '', [...command.slice(1), ...args, '--out', into]];
}

/** Where a build goes before it is renamed into place: another test file may finish the same entry meanwhile, and the first rename wins (both are equal). */
function buildingFolder(): string {
  return join(CACHE_ROOT, `.building-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
}

function keep(building: string, entry: string): void {
  try {
    renameSync(building, entry);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(entry)) throw error;
  }
}

/**
 * Copies into `out` what `command args` writes into the folder named by its `--out` argument,
 * generating it at most once per machine for these arguments and sources. Without a writable
 * cache folder it just generates into `out`.
 */
export function generateSample(command: readonly string[], args: readonly string[], out: string, timeoutMs: number): void {
  const run = (into: string): void => {
    const [program, argv] = commandLine(command, args, into);
    const made = spawnSync(program, argv, { encoding: 'utf8', timeout: timeoutMs });
    if (made.status !== 0) throw new Error(`make-sample failed: ${made.stderr}${made.stdout}`);
  };
  try {
    mkdirSync(CACHE_ROOT, { recursive: true });
  } catch {
    run(out);
    return;
  }
  const entry = entryFor(command, args);
  if (!existsSync(entry)) {
    pruneUnused();
    const building = buildingFolder();
    try {
      run(building);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(entry)) throw error;
    }
    if (existsSync(building)) keep(building, entry);
  }
  const now = new Date();
  utimesSync(entry, now, now);
  cpSync(entry, out, { recursive: true });
}

/**
 * Makes the cache entry of `command args` if it is missing, without blocking the process: the
 * suite's `before` step fills every shared sample this way, two at a time, before any test file
 * starts, so that no test waits for one (or makes the same one as another test file at once).
 */
export async function fillSampleCache(command: readonly string[], args: readonly string[], timeoutMs: number): Promise<void> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  const entry = entryFor(command, args);
  if (existsSync(entry)) return;
  pruneUnused();
  const building = buildingFolder();
  const [program, argv] = commandLine(command, args, building);
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(program, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    // Only the exit code decides; the output is kept for the error message.
    child.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`make-sample ${args.join(' ')} failed: ${Buffer.concat(output).toString('utf8')}`);
  }
  keep(building, entry);
}
