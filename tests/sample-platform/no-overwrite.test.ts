import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sha256, rehearse } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { adjustProbes } from '../helpers/plan-probes.js';
import { tempDir } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('../../sample-platform/scripts/make-sample.ts', import.meta.url));
const ACCOUNTS = 40;

function makeSample(out: string, seed: number) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', SCRIPT, '--accounts', String(ACCOUNTS), '--seed', String(seed), '--bill-date', '2026-11-01', '--out', out],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
}

/** A database that is not the generator's: it stands for a real backup someone pointed a plan at. */
function foreignDatabase(path: string, marker: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE precious (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO precious (note) VALUES ('${marker}');`);
  db.close();
}

/** Every file of the folder with its sha256: equal before and after means nothing was written, added or removed. */
function folderState(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, sha256(join(dir, name))]));
}

/** The example plan (without its probe items, whose files stay beside it) with its `sample:` block pointed at `folder`. */
function samplePlan(dir: string, folder: string, seed: number): string {
  const text = adjustProbes(readFileSync(join(PROJECT_ROOT, 'plans/example-local.yaml'), 'utf8'), false)
    .replace(/^sample: .*$/m, `sample: { accounts: ${ACCOUNTS}, seed: ${seed} }`)
    .replaceAll('../samples/sample-2000/', `${folder}/`)
    .replace('../sanitize/sample-platform.yaml', join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'));
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, `${text}\nreport:\n  dir: ${join(dir, 'reports')}\n`);
  return file;
}

t.test("a plan's sample pointed at a folder with a foreign snapshot.db and another seed: exit 2, nothing changed", async (t) => {
  const dir = tempDir(t);
  const folder = join(dir, 'backups');
  mkdirSync(folder);
  foreignDatabase(join(folder, 'snapshot.db'), 'real snapshot');
  foreignDatabase(join(folder, 'production-result.db'), 'real production result');
  const before = folderState(folder);

  const refused = rehearse(['sample', samplePlan(dir, folder, 43)]);
  t.equal(refused.status, 2, refused.stdout + refused.stderr);
  t.match(refused.stdout + refused.stderr, /Refusing to replace .*snapshot\.db and .*production-result\.db: there is no sample\.json signature/);
  t.match(refused.stdout + refused.stderr, /Nothing was changed/);
  t.notMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  t.same(folderState(folder), before, 'both files byte-identical, no sample.json or partial file added');
});

t.test("a description copied beside foreign files does not make them the generator's", async (t) => {
  const dir = tempDir(t);
  const folder = join(dir, 'backups');
  mkdirSync(folder);
  foreignDatabase(join(folder, 'snapshot.db'), 'real snapshot');
  // The old sample.json format (no signature), as an earlier generator wrote it.
  writeFileSync(join(folder, 'sample.json'), JSON.stringify({ accounts: ACCOUNTS, seed: 42, billDate: '2026-11-01', generatorVersion: 1 }));
  const before = folderState(folder);
  const refused = makeSample(folder, 43);
  t.equal(refused.status, 2, refused.stderr);
  t.match(refused.stdout, /Refusing to replace .*snapshot\.db: there is no sample\.json signature/);
  t.same(folderState(folder), before);
});

t.test("the generator's own sample is replaced when the seed changes, but not once a file in it was swapped", async (t) => {
  const dir = tempDir(t);
  const folder = join(dir, 'sample');
  // Made through the product, which asks the sample platform's tool (as `rehearse all` does).
  const made = rehearse(['sample', samplePlan(dir, folder, 3)]);
  t.equal(made.status, 0, made.stderr + made.stdout);
  t.match(made.stdout, `Snapshot: ${join(folder, 'snapshot.db')}`);
  const description = JSON.parse(readFileSync(join(folder, 'sample.json'), 'utf8')) as { seed: number; files: Record<string, { sha256: string; size: number }> };
  t.equal(description.files['snapshot.db']?.sha256, sha256(join(folder, 'snapshot.db')), 'sample.json signs the snapshot');
  t.equal(description.files['production-result.db']?.sha256, sha256(join(folder, 'production-result.db')), 'and the production result');

  const regenerated = makeSample(folder, 4);
  t.equal(regenerated.status, 0, regenerated.stderr + regenerated.stdout);
  t.match(regenerated.stdout, /Replacing the sample .*seed 3.*this generator's own/);
  const after = JSON.parse(readFileSync(join(folder, 'sample.json'), 'utf8')) as typeof description;
  t.equal(after.seed, 4);
  t.not(after.files['snapshot.db']?.sha256, description.files['snapshot.db']?.sha256, 'a new snapshot');
  t.equal(after.files['snapshot.db']?.sha256, sha256(join(folder, 'snapshot.db')));

  // Someone puts a real backup where the sample was, keeping the generator's sample.json.
  foreignDatabase(join(folder, 'production-result.db.tmp'), 'real production result');
  renameSync(join(folder, 'production-result.db.tmp'), join(folder, 'production-result.db'));
  const before = folderState(folder);
  const refused = makeSample(folder, 5);
  t.equal(refused.status, 2, refused.stderr);
  t.match(refused.stdout, /Refusing to replace .*production-result\.db: they differ from the files this generator wrote/);
  t.notMatch(refused.stdout, /snapshot\.db and/, 'the snapshot is still provably the generator\'s');
  t.same(folderState(folder), before, 'nothing changed');
  t.notOk(existsSync(join(folder, 'snapshot.db.partial')));
});
