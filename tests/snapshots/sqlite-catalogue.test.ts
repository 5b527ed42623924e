import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { loadPlan } from '../../src/plan/load.js';
import { preflight } from '../../src/preflight/preflight.js';
import { sqliteFolderCandidates } from '../../src/snapshots/sqlite-folder.js';
import { makePreflightFixture, rehearseHere, runFolders } from '../preflight/fixture.js';
import { validPlanText } from '../helpers/plan-fixture.js';
import { makeTinyDatabase, readColumn } from '../helpers/tiny-db.js';

/**
 * A SQLite catalogue of five backups of the tiny database, each told apart by a setting, and a
 * production result whose bill run of 2026-11-01 started at 02:00 UTC.
 */
const BACKUPS: readonly (readonly [name: string, takenAt: string | undefined])[] = [
  ['billing-1029.db', '2026-10-29T01:00:00Z'],
  ['billing-1031.db', '2026-10-31T01:00:00Z'],
  ['billing-1101-0100.db', '2026-11-01T01:00:00+00:00'],
  ['billing-1101-0300.db', '2026-11-01T03:00:00Z'],
  // No sidecar: its modification time (now, a month after the bill run) times it.
  ['billing-latest.db', undefined],
];

function fixture(t: Test) {
  const pf = makePreflightFixture(t.testdir());
  const folder = join(pf.dir, 'backups');
  mkdirSync(folder);
  for (const [name, takenAt] of BACKUPS) {
    const path = join(folder, name);
    copyFileSync(pf.snapshot, path);
    const db = new Database(path);
    db.prepare("INSERT INTO settings (key, value) VALUES ('backup.name', ?)").run(name);
    db.close();
    if (takenAt !== undefined) writeFileSync(`${path}.json`, JSON.stringify({ takenAt, tool: 'nightly-backup' }));
  }
  const db = new Database(pf.productionResult);
  db.exec("INSERT INTO bill_runs (bill_date, release, status, started_at, finished_at, accounts_billed) VALUES ('2026-11-01', '7.4.2', 'completed', '2026-11-01T02:00:00.000Z', '2026-11-01T02:40:00.000Z', 2)");
  db.close();
  const plan = (extra = '', catalogue = 'backups') =>
    pf.writePlan(validPlanText().replace('snapshot:\n  path: snapshot.db\n', `snapshot:\n  catalogue:\n    folder: ${catalogue}\n  maxAgeHours: 36\n${extra}`));
  return { ...pf, folder, plan };
}

/** Every byte and time of the catalogue, to show that listing and picking wrote nothing. */
function catalogueState(folder: string): string {
  return readdirSync(folder)
    .sort()
    .map((name) => {
      const path = join(folder, name);
      return `${name} ${statSync(path).mtimeMs} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    })
    .join('\n');
}

t.test('pre-flight picks the newest of five backups taken before production\'s bill run, and writes none of them', async (t) => {
  const f = fixture(t);
  const before = catalogueState(f.folder);
  const { plan, checked } = await preflight(loadPlan(f.plan()), { askSqlServer: 'always' });
  t.same(plan.snapshot, { kind: 'sqlite-file', path: join(f.folder, 'billing-1101-0100.db') });
  t.equal(plan.snapshotSelection?.picked?.recordedIn, join(f.folder, 'billing-1101-0100.db.json'));
  t.match(plan.snapshotSelection?.reason, /1\.0 h before production's bill run started at 2026-11-01T02:00:00\.000Z \(production's result .*, bill run of 2026-11-01\)/);
  t.same(
    plan.snapshotSelection?.candidates.map((c) => c.status),
    ['taken after the bill run started', 'taken after the bill run started', 'picked', 'older than the picked one', 'older than the picked one'],
  );
  t.ok(checked.some((c) => c.includes('billing-1101-0100.db')), 'check names the pick');
  t.equal(catalogueState(f.folder), before, 'the catalogue is unchanged');
});

t.test('rehearse snapshots lists the candidates and the pick, for people and as JSON', async (t) => {
  const f = fixture(t);
  const human = await rehearseHere(['snapshots', f.plan()]);
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /5 backups; production's bill run started 2026-11-01T02:00:00\.000Z/);
  t.match(human.stdout, /→ .*billing-1101-0100\.db {2}2026-11-01T01:00:00\.000Z \(recorded time in .*billing-1101-0100\.db\.json\) {2}picked/);
  t.match(human.stdout, /billing-latest\.db {2}\S+ \(file modification time\) {2}taken after the bill run started/);
  t.match(human.stdout, /Picked: .*billing-1101-0100\.db was taken/);
  const json = await rehearseHere(['--json', 'snapshots', f.plan()]);
  const parsed = JSON.parse(json.stdout) as { picked: { id: string }; candidates: unknown[]; billRunStartedAt: string };
  t.equal(parsed.picked.id, join(f.folder, 'billing-1101-0100.db'));
  t.equal(parsed.candidates.length, 5);
  t.equal(runFolders(f.reports).length, 0, 'nothing was created');
});

t.test('refusals exit 2 with every candidate listed, before anything is created', async (t) => {
  const cases: [string, (f: ReturnType<typeof fixture>) => string, RegExp][] = [
    ['none before the bill run', (f) => f.plan('  billRunStartedAt: 2026-10-01T00:00:00Z\n'), /none of the 5 backups was taken before production's bill run started at 2026-10-01T00:00:00\.000Z \(the plan, snapshot\.billRunStartedAt\)/],
    ['too old', (f) => f.plan('  billRunStartedAt: 2026-10-30T14:00:00Z\n'), /billing-1029\.db \(taken 2026-10-29T01:00:00\.000Z\), is 37 h older than it, more than `snapshot\.maxAgeHours` \(36\)/],
    [
      'unreadable header',
      (f) => {
        writeFileSync(join(f.folder, 'billing-1101-0130.db'), 'RMAN backup piece, not SQLite\n'.repeat(20));
        return f.plan();
      },
      /cannot tell when .*billing-1101-0130\.db was taken \(unreadable header: it is not a SQLite database/,
    ],
    [
      'a sidecar without a zone',
      (f) => {
        writeFileSync(join(f.folder, 'billing-1031.db.json'), '{"takenAt": "2026-10-31 01:00"}');
        return f.plan();
      },
      /billing-1031\.db\.json has no `takenAt` time with a zone/,
    ],
  ];
  for (const [name, make, expected] of cases) {
    const f = fixture(t);
    const plan = make(f);
    const before = catalogueState(f.folder);
    // `check` first: `all` runs only once the refusal is shown, so a case that wrongly passes never rehearses.
    const checked = await rehearseHere(['check', plan]);
    t.equal(checked.code, 2, `${name}: check exits 2`);
    if (checked.code !== 2) continue;
    for (const command of ['check', 'all']) {
      const outcome = await rehearseHere([command, plan]);
      t.equal(outcome.code, 2, `${name}: ${command} exits 2`);
      t.match(outcome.stderr, expected, `${name}: ${command} says why`);
      t.match(outcome.stderr, /Candidates:\n(.*\n){5,}/, `${name}: the candidates are listed`);
    }
    const listed = await rehearseHere(['snapshots', plan]);
    t.equal(listed.code, 2, `${name}: snapshots exits 2`);
    t.match(listed.stdout, /Refused: /);
    t.equal(runFolders(f.reports).length, 0, `${name}: no run folder`);
    t.equal(catalogueState(f.folder), before, `${name}: the catalogue is unchanged`);
  }
});

t.test('production\'s result without the bill run of the plan\'s date is a clear error', async (t) => {
  const f = fixture(t);
  const plan = f.plan();
  writeFileSync(plan, readFileSync(plan, 'utf8').replace('date: 2026-11-01', 'date: 2026-12-01'));
  const outcome = await rehearseHere(['check', plan]);
  t.equal(outcome.code, 2);
  t.match(outcome.stderr, /records no bill run for 2026-12-01, so the backup taken before it cannot be picked\. .*`snapshot\.billRunStartedAt`/);
});

t.test('times: a sidecar, the sample tool\'s sample.json, else the file\'s modification time', async (t) => {
  const dir = t.testdir({ 'sample.json': JSON.stringify({ accounts: 300, seed: 7, takenAt: '2026-11-01T01:59:00.000Z' }) });
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  copyFileSync(tiny.path, join(dir, 'snapshot.db'));
  copyFileSync(tiny.path, join(dir, 'other.db'));
  utimesSync(join(dir, 'other.db'), new Date('2026-10-30T00:00:00Z'), new Date('2026-10-30T00:00:00Z'));
  const candidates = sqliteFolderCandidates(dir);
  writeFileSync(join(dir, 'sample.json'), JSON.stringify({ takenAt: '2026-11-01T01:59:00.000Z', files: { 'snapshot.db': { size: 1 } } }));
  t.match(sqliteFolderCandidates(dir).find((c) => c.id.endsWith('snapshot.db'))?.problem, /sample\.json times another snapshot\.db/, 'a replaced snapshot.db is not timed by the old signature');
  t.same(
    candidates.map((c) => [c.id.slice(dir.length + 1), c.takenAt, c.timeSource]),
    [
      ['other.db', '2026-10-30T00:00:00.000Z', 'file modification time'],
      ['snapshot.db', '2026-11-01T01:59:00.000Z', 'recorded time'],
    ],
  );
});

t.test('a plan\'s catalogue block is validated at its line', async (t) => {
  const f = fixture(t);
  const both = f.plan();
  writeFileSync(both, readFileSync(both, 'utf8').replace('snapshot:\n', 'snapshot:\n  path: snapshot.db\n'));
  t.match((await rehearseHere(['check', both])).stderr, /plan\.yaml:\d+:\d+: `snapshot\.path` names one source and `snapshot\.catalogue` many/);
  t.match((await rehearseHere(['check', f.plan('', 'no-such-folder')])).stderr, /plan\.yaml:\d+:\d+: snapshot catalogue .*no-such-folder does not exist/);
  const s3 = f.plan();
  writeFileSync(s3, readFileSync(s3, 'utf8').replace('folder: backups', 's3Prefix: arn:aws:s3:::northwind-backups/billing/'));
  t.match((await rehearseHere(['check', s3])).stderr, /`snapshot\.catalogue\.s3Prefix` holds SQL Server backups; with a SQLite database give `snapshot\.catalogue\.folder`/);
  const single = f.writePlan(validPlanText().replace('  path: snapshot.db\n', '  path: snapshot.db\n  maxAgeHours: 24\n'));
  t.match((await rehearseHere(['check', single])).stderr, /`snapshot\.maxAgeHours` applies to a snapshot catalogue/);
});

t.test('the restore copies the picked backup, guards it as the run\'s source, and records why it was picked', async (t) => {
  const f = fixture(t);
  const plan = f.plan();
  const before = catalogueState(f.folder);
  const restored = await rehearseHere(['--json', 'restore', plan]);
  t.teardown(() => rehearseHere(['down', '--plan', plan]));
  t.equal(restored.code, 0, restored.stderr);
  const { runId } = JSON.parse(restored.stdout) as { runId: string };
  const runDir = join(f.reports, runId);
  const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')) as { databasePath: string; completed: { restore: { checks: { id: string; status: string; summary: string; evidence: { backup: string; status: string }[] }[] } } };
  t.same(readColumn(state.databasePath, "SELECT value FROM settings WHERE key = 'backup.name'"), ['billing-1101-0100.db'], 'the copy is the picked backup');
  const [check] = state.completed.restore.checks;
  t.equal(check?.id, 'snapshot-selection');
  t.equal(check?.status, 'passed');
  t.match(check?.summary, /billing-1101-0100\.db was taken 2026-11-01T01:00:00\.000Z/);
  t.equal(check?.evidence.find((e) => e.status === 'picked')?.backup, join(f.folder, 'billing-1101-0100.db'));
  const identity = JSON.parse(readFileSync(join(runDir, 'source-identity.json'), 'utf8')) as Record<string, unknown>;
  t.ok(join(f.folder, 'billing-1101-0100.db') in identity, 'the picked file is a guarded source');
  t.equal(catalogueState(f.folder), before, 'the catalogue is unchanged');

  const reported = await rehearseHere(['--json', 'report', plan]);
  const { report } = JSON.parse(reported.stdout) as { report: string };
  const markdown = readFileSync(report, 'utf8');
  t.match(markdown, /snapshot-selection \| Backup picked from the snapshot catalogue folder .*backups \| .*billing-1101-0100\.db was taken 2026-11-01T01:00:00\.000Z/, 'the report says which backup was used and why');
});
