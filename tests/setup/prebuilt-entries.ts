/**
 * Bundles the programs a rehearsal starts (the CLI, the sandbox keeper, the sinkholes, the probe
 * runner and agent, the sample platform's billing service and sample generator) once per source
 * tree, for the tests' child processes: tsx loading a program's hundred-odd modules costs each
 * process about as much CPU as the program's own work, and the suite starts hundreds of them.
 *
 * What a bundle must keep from running from source:
 * - every `import.meta.url` (and `import.meta.dirname`) is its own source file's, so the files a
 *   module finds beside itself (schemas, catalogue.yaml, shell scripts) are the same ones;
 * - the bundle's path ends with its entry point's (`.../src/sinkholes/main.ts.mjs`), so a
 *   command line still names the program (the sandbox recognises its sinkhole process by it);
 * - the CLI leaves `src/errors.ts` to tsx: a platform driver is loaded from source at run time and
 *   throws the UserError of that module, which the CLI must recognise as its own. The CLI bundle
 *   therefore runs with tsx registered, as scripts/rehearse.ts does; the others run on plain node.
 * Packages stay in node_modules (external), so the bundles live under the project root.
 *
 * A bundle is used only while every file it was built from is unchanged (size and mtime);
 * otherwise the first test process to notice builds it again.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PluginBuild } from 'esbuild';
import { PREBUILT_ENTRIES_ENV } from '../../src/runtime/typescript-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, '.cache', 'prebuilt-entries');
const MANIFEST = join(CACHE, 'entries.json');
const SOURCES = join(CACHE, 'sources.json');

const ENTRIES = [
  'scripts/rehearse.ts',
  'src/pipeline/sandbox-keeper-main.ts',
  'src/sinkholes/main.ts',
  'src/sandbox/probe-runner.ts',
  'src/probes/agent-main.ts',
  'sample-platform/service/main.ts',
  'sample-platform/scripts/make-sample.ts',
  'sample-platform/control/service-with-capture.ts',
] as const;
const SHARED_WITH_DRIVERS = join(ROOT, 'src/errors.ts');

/** Source file -> "size:mtime" of every file the bundles were built from, plus the tools that built them. */
type Sources = Record<string, string>;

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function tools(): Sources {
  const esbuild = JSON.parse(readFileSync(join(ROOT, 'node_modules/esbuild/package.json'), 'utf8')) as { version: string };
  return { '(node)': process.version, '(esbuild)': esbuild.version, '(builder)': createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex') };
}

function upToDate(): boolean {
  try {
    const sources = JSON.parse(readFileSync(SOURCES, 'utf8')) as Sources;
    const now = tools();
    return Object.entries(sources).every(([file, recorded]) => (file.startsWith('(') ? now[file] === recorded : stamp(file) === recorded));
  } catch {
    return false;
  }
}

async function build(): Promise<void> {
  const { build: esbuild } = await import('esbuild');
  const out = join(CACHE, `build-${Date.now()}-${process.pid}`);
  const ownUrls = {
    name: 'own-import-meta',
    setup(b: PluginBuild) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => ({
        loader: 'ts',
        contents: (await readFile(args.path, 'utf8'))
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))),
      }));
    },
  };
  const keepShared = {
    name: 'errors-from-source',
    setup(b: PluginBuild) {
      b.onResolve({ filter: /errors\.js$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return file === SHARED_WITH_DRIVERS ? { path: pathToFileURL(file).href, external: true } : undefined;
      });
    },
  };
  const sources: Sources = tools();
  const entries: Record<string, string> = {};
  for (const entry of ENTRIES) {
    const outfile = join(out, `${entry}.mjs`);
    const result = await esbuild({
      entryPoints: [join(ROOT, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      metafile: true,
      logLevel: 'error',
      absWorkingDir: ROOT,
      plugins: entry === 'scripts/rehearse.ts' ? [keepShared, ownUrls] : [ownUrls],
    });
    for (const input of Object.keys(result.metafile.inputs)) sources[resolve(ROOT, input)] = stamp(resolve(ROOT, input));
    entries[join(ROOT, entry)] = outfile;
  }
  sources[SHARED_WITH_DRIVERS] = stamp(SHARED_WITH_DRIVERS);
  // Written whole and renamed: test processes start side by side and may build at the same time.
  const tmp = `${out}.json`;
  writeFileSync(tmp, JSON.stringify(entries));
  renameSync(tmp, MANIFEST);
  writeFileSync(`${out}.sources`, JSON.stringify(sources));
  renameSync(`${out}.sources`, SOURCES);
  for (const old of readdirSync(CACHE)) {
    const path = join(CACHE, old);
    // Earlier builds a test that started before this one may still be running: kept for an hour.
    if (old.startsWith('build-') && path !== out && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The manifest of bundled entry points for this source tree, built first when a source changed;
 * '' (run from source) when they cannot be built, e.g. a read-only checkout. A source that does not
 * compile fails the tests that run it from source, with tsx's message.
 */
export async function prebuiltEntries(): Promise<string> {
  try {
    if (!upToDate()) {
      mkdirSync(CACHE, { recursive: true });
      await build();
    }
    return MANIFEST;
  } catch {
    return '';
  }
}

/** Command line that runs `entry` (a path under the project root): its bundle, or the source with tsx. */
export function entryCommand(entry: string): string[] {
  const bundle = prebuiltEntry(entry);
  return bundle !== undefined ? [process.execPath, bundle] : [process.execPath, '--import', import.meta.resolve('tsx'), join(ROOT, entry)];
}

/** The bundle of `entry` (a path under the project root) that this process's children use, if any. */
export function prebuiltEntry(entry: string): string | undefined {
  const manifest = process.env[PREBUILT_ENTRIES_ENV];
  if (manifest === undefined || manifest === '') return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>)[resolve(ROOT, entry)];
  } catch {
    return undefined;
  }
}
