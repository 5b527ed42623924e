import t, { type Test } from 'tap';
import { $ } from 'zx';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { validPlanText } from '../helpers/plan-fixture.js';
import { NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { listNamespaces } from '../../src/sandbox/namespace.js';
import { makePreflightFixture, newNamespaces, rehearseHere, runFolders, type PreflightFixture } from './fixture.js';

/** Every command that would create something, plus `check`: each must refuse before it does. */
const COMMANDS = ['check', 'all', 'up', 'restore', 'sanitize', 'verify'] as const;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

function editRules(f: PreflightFixture, from: string, to: string): void {
  const text = readFileSync(f.rules, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} is not in the rule set`);
  writeFileSync(f.rules, text.replace(from, to));
}

/** Files that a run would have made anywhere in the fixture: a run folder's work dir, a copy, SQLite's side files. */
function madeFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(path);
      if (/rehearsal\.db|-wal$|-shm$|^state\.json$/.test(entry.name) || entry.name === 'work') found.push(path);
    }
  };
  walk(dir);
  return found;
}

interface Case {
  readonly name: string;
  /** Breaks the fixture; returns the plan file and what stderr must say, location included. */
  readonly breakIt: (f: PreflightFixture, t: Test) => Promise<{ plan: string; expect: RegExp[] }> | { plan: string; expect: RegExp[] };
}

const cases: Case[] = [
  {
    name: 'a rule names a table the snapshot does not have',
    breakIt: (f) => {
      editRules(f, '- table: contacts', '- table: contact_details');
      return { plan: f.writePlan(), expect: [new RegExp(`rules\\.yaml:${lineOf(f.rules, 'contact_details')}:\\d+: unknown table \`contact_details\``)] };
    },
  },
  {
    name: 'a rule names a column the table does not have, and a text strategy on a number column',
    breakIt: (f) => {
      editRules(f, '      phone: phone', '      mobile: phone');
      editRules(f, '      name: full-name\n      notes: free-text', '      bill_day: full-name\n      notes: free-text');
      return {
        plan: f.writePlan(),
        expect: [
          new RegExp(`rules\\.yaml:${lineOf(f.rules, 'mobile: phone')}:\\d+: unknown column \`contacts\\.mobile\``),
          new RegExp(`rules\\.yaml:${lineOf(f.rules, 'bill_day: full-name')}:\\d+: strategy \`full-name\` writes text but accounts\\.bill_day is integer`),
        ],
      };
    },
  },
  {
    name: "rules name the tool's run marker and SQLite's own table",
    breakIt: (f) => {
      editRules(f, '- table: contacts', '- table: _rehearsal_run');
      editRules(f, '- table: accounts', '- table: sqlite_master');
      return {
        plan: f.writePlan(),
        expect: [
          new RegExp(`rules\\.yaml:${lineOf(f.rules, '_rehearsal_run')}:\\d+: \`_rehearsal_run\` is one of rehearse's own tables`),
          new RegExp(`rules\\.yaml:${lineOf(f.rules, 'sqlite_master')}:\\d+: \`sqlite_master\` is one of SQLite's own tables`),
        ],
      };
    },
  },
  {
    name: 'a vendor script names a table the snapshot does not have, on its eighth line',
    breakIt: (f) => {
      const script = join(f.dir, 'vendor', '10-clear-cancelled-notes.sql');
      writeFileSync(script, `${'-- vendor notes\n'.repeat(7)}UPDATE customer_notes SET body = NULL;\n`);
      return { plan: f.writePlan(), expect: [/10-clear-cancelled-notes\.sql:8:\d+: .*no such table: customer_notes/] };
    },
  },
  {
    name: 'a vendor script leaves the transaction to write the snapshot',
    breakIt: (f) => {
      const script = join(f.dir, 'vendor', '10-clear-cancelled-notes.sql');
      writeFileSync(script, `UPDATE accounts SET notes = NULL;\nCOMMIT;\nATTACH '${f.snapshot}' AS s;\nCREATE TABLE s.x(a);\n`);
      return { plan: f.writePlan(), expect: [/10-clear-cancelled-notes\.sql:2:1: /, /10-clear-cancelled-notes\.sql:3:1: /] };
    },
  },
  {
    name: 'the snapshot is not a database',
    breakIt: (f) => {
      writeFileSync(f.snapshot, 'id,email\n1,ada@analytical.example\n'.repeat(10));
      const plan = f.writePlan();
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'snapshot.db')}:\\d+: the snapshot .*snapshot\\.db cannot be restored: it is not a SQLite database`)] };
    },
  },
  {
    name: "production's result is not a database",
    breakIt: (f) => {
      writeFileSync(f.productionResult, Buffer.alloc(4096, 0x42));
      const plan = f.writePlan();
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'production-result.db')}:\\d+: production's result .*production-result\\.db cannot be compared with: it is not a SQLite database`)] };
    },
  },
  {
    name: "production's result has a SQLite header and garbage after it",
    breakIt: (f) => {
      const header = readFileSync(f.productionResult).subarray(0, 100);
      writeFileSync(f.productionResult, Buffer.concat([header, Buffer.alloc(8192, 0xa5)]));
      const plan = f.writePlan();
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'production-result.db')}:\\d+: production's result .* it is not a readable SQLite database`)] };
    },
  },
  {
    name: 'report.dir is a file',
    breakIt: (f) => {
      writeFileSync(join(f.dir, 'not-a-folder'), 'a file\n');
      const plan = f.writePlan(validPlanText().replace('dir: reports', 'dir: not-a-folder'));
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'dir: not-a-folder')}:\\d+: \`report\\.dir\` cannot hold the run's folder: .*not-a-folder is not a directory`)] };
    },
  },
  {
    name: 'report.dir lies under a file (ENOTDIR)',
    breakIt: (f) => {
      writeFileSync(join(f.dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
      const plan = f.writePlan(validPlanText().replace('dir: reports', 'dir: passwd/reports'));
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'dir: passwd/reports')}:\\d+: .*passwd is not a directory, so .*passwd/reports cannot be made under it`)] };
    },
  },
  {
    name: 'report.dir is on a read-only file system',
    breakIt: async (f, t) => {
      // Outside the test folder: that folder is removed before this test's teardown could unmount.
      const readOnly = mkdtempSync(join(tmpdir(), 'rehearsal-read-only-'));
      t.teardown(async () => {
        await $`umount ${readOnly}`.quiet().nothrow();
        rmSync(readOnly, { recursive: true, force: true });
      });
      await $`mount --bind ${readOnly} ${readOnly}`.quiet();
      await $`mount -o remount,bind,ro ${readOnly}`.quiet();
      const plan = f.writePlan(validPlanText().replace('dir: reports', `dir: ${readOnly}/reports`));
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, `dir: ${readOnly}/reports`)}:\\d+: .*rehearsal-read-only-\\w+ is on a read-only file system`)] };
    },
  },
  {
    name: "the snapshot is a symbolic link to production's result",
    breakIt: (f) => {
      rmSync(f.snapshot);
      symlinkSync(f.productionResult, f.snapshot);
      const plan = f.writePlan();
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'production-result.db')}:\\d+: production's result must be a different file from the snapshot: .* the same file .* through a symbolic link`)] };
    },
  },
  {
    name: "the snapshot is a hard link to production's result",
    breakIt: (f) => {
      rmSync(f.snapshot);
      linkSync(f.productionResult, f.snapshot);
      const plan = f.writePlan();
      return { plan, expect: [new RegExp(`plan\\.yaml:${lineOf(plan, 'production-result.db')}:\\d+: production's result must be a different file from the snapshot: .* is a hard link to .*snapshot\\.db`)] };
    },
  },
];

for (const c of cases) {
  t.test(`${c.name}: every command exits 2 at the place to fix, and nothing is created`, async (t) => {
    const f = makePreflightFixture(t.testdir());
    const { plan, expect } = await c.breakIt(f, t);
    const sources = { snapshot: sha256(f.snapshot), productionResult: sha256(f.productionResult) };
    const namespacesBefore = await listNamespaces();
    for (const command of COMMANDS) {
      const outcome = await rehearseHere([command, plan]);
      t.equal(outcome.code, 2, `${command}: exit 2 (${outcome.stderr.trim().slice(0, 300)})`);
      for (const pattern of expect) t.match(outcome.stderr, pattern, `${command}: says where`);
      t.notMatch(outcome.stderr, /\n\s+at /, `${command}: no stack trace`);
      t.same(runFolders(f.reports), [], `${command}: no run folder`);
      t.same(madeFiles(f.dir), [], `${command}: no copy, state or SQLite side file`);
      t.same(await newNamespaces(namespacesBefore, f.dir, f.reports), [], `${command}: no namespace`);
    }
    t.same({ snapshot: sha256(f.snapshot), productionResult: sha256(f.productionResult) }, sources, 'the sources are unchanged');
  });
}

t.test('the same inputs without the fault pass `check`, which reads them without leaving anything behind', async (t) => {
  const f = makePreflightFixture(t.testdir());
  const plan = f.writePlan();
  const outcome = await rehearseHere(['check', plan]);
  t.equal(outcome.code, 0, outcome.stderr);
  t.match(outcome.stdout, /checked: snapshot .*snapshot\.db: a SQLite database with \d+ tables/);
  t.match(outcome.stdout, /checked: rule set .*rules\.yaml: \d+ rules match the snapshot's tables, columns and types/);
  t.match(outcome.stdout, /checked: snapshot and production result are different files/);
  t.notOk(existsSync(f.reports), 'check makes no reports folder');
  t.same(madeFiles(f.dir), [], 'no SQLite side files beside the sources');
});

t.test('problems of different kinds are reported in one pass', async (t) => {
  const f = makePreflightFixture(t.testdir());
  editRules(f, '- table: contacts', '- table: contact_details');
  writeFileSync(f.productionResult, 'not a database');
  writeFileSync(join(f.dir, 'reports'), 'a file');
  const plan = f.writePlan();
  const outcome = await rehearseHere(['check', plan]);
  t.equal(outcome.code, 2);
  t.match(outcome.stderr, /rules\.yaml:\d+:\d+: unknown table/);
  t.match(outcome.stderr, /plan\.yaml:\d+:\d+: production's result/);
  t.match(outcome.stderr, /plan\.yaml:\d+:\d+: `report\.dir` cannot hold/);
});

t.test('a WAL-mode snapshot is checked by its header only, never opened in place; with a -wal beside it, it is refused', async (t) => {
  const f = makePreflightFixture(t.testdir());
  const db = new Database(f.snapshot);
  db.pragma('journal_mode = WAL');
  db.close();
  t.notOk(existsSync(`${f.snapshot}-wal`), 'the fixture is a closed WAL-mode file');
  const plan = f.writePlan();
  const passed = await rehearseHere(['check', plan]);
  t.equal(passed.code, 0, passed.stderr);
  t.match(passed.stdout, /later: snapshot .*: a WAL-mode file, so only its header is read here/);
  t.same(madeFiles(f.dir), [], 'no -wal or -shm appeared beside the snapshot');

  writeFileSync(`${f.snapshot}-wal`, '');
  const refused = await rehearseHere(['all', plan]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, new RegExp(`plan\\.yaml:${lineOf(plan, 'snapshot.db')}:\\d+: the snapshot .* has a write-ahead log beside it`));
  t.same(runFolders(f.reports), []);
});

t.test('through scripts/rehearse.ts: `all` with an unknown table exits 2 with the location before any sandbox', async (t) => {
  const f = makePreflightFixture(t.testdir());
  editRules(f, '- table: contacts', '- table: contact_details');
  const plan = f.writePlan();
  const namespacesBefore = await listNamespaces();
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, 'all', plan], { encoding: 'utf8', timeout: 60_000 });
  t.equal(result.status, 2, result.stderr);
  t.match(result.stderr, new RegExp(`rules\\.yaml:${lineOf(f.rules, 'contact_details')}:\\d+: unknown table \`contact_details\``));
  t.same(runFolders(f.reports), []);
  t.same(await newNamespaces(namespacesBefore, f.dir, f.reports), []);
});
