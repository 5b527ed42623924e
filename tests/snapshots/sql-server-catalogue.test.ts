import t from 'tap';
import { cpSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { config as MssqlConfig } from 'mssql';
import { loadPlan } from '../../src/plan/load.js';
import { preflight } from '../../src/preflight/preflight.js';
import { backupFolderQuery } from '../../src/engine/mssql/backup-folder-sql.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { FakeMssql, type FakeResponse, type SentStatement } from '../mssql/fake-mssql.js';
import { goldenMismatch, tsqlParseError } from '../mssql/golden.js';
import { PROJECT_ROOT, mssqlPlanText } from '../helpers/plan-fixture.js';

/**
 * No SQL Server here: a fake server answers the folder listing, RESTORE HEADERONLY and the bill-run
 * query the way SQL Server documents them. What a real server returns is verified only by the
 * golden T-SQL and these assumptions.
 */
const ENV = { REHEARSAL_MSSQL_URL: 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password=not-a-real-one;Encrypt=true' };
const FOLDER = 'D:\\Backups\\EngageIP';

interface Bak {
  /** BackupFinishDate as SQL Server returns it: local time, no zone. */
  readonly finish: string;
  /** The server's offset from UTC in 15-minute steps when the backup was made. */
  readonly timeZone: number;
}

/**
 * Five nightly backups. Production's bill run started 2026-11-01T02:00Z. The server ran at UTC-5 for
 * `…-2130`: its local 21:30 on 31 October is 02:30 UTC, after the bill run, so it must not be picked
 * although its local time reads earlier than `…-0100`'s.
 */
const FIVE: Readonly<Record<string, Bak>> = {
  'billing_2026-10-29.bak': { finish: '2026-10-29T01:00:00.000Z', timeZone: 0 },
  'billing_2026-10-31.bak': { finish: '2026-10-31T01:00:00.000Z', timeZone: 0 },
  'billing_2026-10-31-2130.bak': { finish: '2026-10-31T21:30:00.000Z', timeZone: -20 },
  'billing_2026-11-01-0100.bak': { finish: '2026-11-01T01:00:00.000Z', timeZone: 0 },
  'billing_2026-11-02.bak': { finish: '2026-11-02T01:00:00.000Z', timeZone: 0 },
};

function fakeServer(files: Readonly<Record<string, Bak | Error>>) {
  const sent: string[] = [];
  const answer = (database: string, statement: SentStatement): FakeResponse | Error => {
    sent.push(statement.text);
    if (statement.text.startsWith('SELECT [full_filesystem_path]')) {
      return { recordset: Object.keys(files).map((name) => ({ full_filesystem_path: `${FOLDER}\\${name}`, file_or_directory_name: name })) };
    }
    if (statement.text.startsWith('RESTORE HEADERONLY')) {
      const path = String(statement.inputs[0]?.value);
      const bak = files[path.slice(FOLDER.length + 1)];
      if (bak === undefined) return new Error(`Cannot open backup device '${path}'. Operating system error 2.`);
      if (bak instanceof Error) return bak;
      return { recordset: [{ Position: 1, BackupType: 1, CompatibilityLevel: 150, DatabaseName: 'EngageIP', BackupFinishDate: new Date(bak.finish), TimeZone: bak.timeZone }] };
    }
    if (statement.text.includes('FROM bill_runs') && database === 'billing_after_run') {
      return { recordset: [{ bill_date: '2026-11-01', release: '7.4.2', status: 'completed', started_at: new Date('2026-11-01T02:00:00.000Z'), finished_at: null, accounts_billed: 2 }] };
    }
    if (statement.text.startsWith('SELECT [compatibility_level]')) return { recordset: [{ compatibility_level: 150, state_desc: 'ONLINE' }] };
    return new Error(`the fake server does not answer ${statement.text}`);
  };
  return {
    sent,
    createPool: (config: MssqlConfig) => {
      const fake = new FakeMssql();
      fake.respond = (statement) => answer(config.database ?? 'master', statement);
      return fake.createPool(config);
    },
  };
}

function planIn(dir: string) {
  copyFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), join(dir, 'rules.yaml'));
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(dir, 'vendor'), { recursive: true });
  const file = join(dir, 'plan.yaml');
  writeFileSync(file, mssqlPlanText(`catalogue:\n    folder: ${JSON.stringify(FOLDER)}\n  maxAgeHours: 24`));
  return loadPlan(file);
}

t.test('five .bak files: the newest whose BackupFinishDate (in UTC) is before the bill run is restored; only reads are sent', async (t) => {
  const server = fakeServer(FIVE);
  const { plan } = await preflight(planIn(t.testdir()), { askSqlServer: 'always', env: ENV, sqlServer: { createPool: server.createPool } });
  t.same(plan.snapshot, { kind: 'mssql-backup-file', backupFile: `${FOLDER}\\billing_2026-11-01-0100.bak` });
  const selection = plan.snapshotSelection;
  t.equal(selection?.billRunStartedAt, '2026-11-01T02:00:00.000Z');
  t.match(selection?.billRunStartedFrom, /production's result \(.*billing_after_run.*\), bill run of 2026-11-01/);
  t.same(
    selection?.candidates.map((c) => [c.id.slice(FOLDER.length + 1), c.takenAt, c.status]),
    [
      ['billing_2026-11-02.bak', '2026-11-02T01:00:00.000Z', 'taken after the bill run started'],
      ['billing_2026-10-31-2130.bak', '2026-11-01T02:30:00.000Z', 'taken after the bill run started'],
      ['billing_2026-11-01-0100.bak', '2026-11-01T01:00:00.000Z', 'picked'],
      ['billing_2026-10-31.bak', '2026-10-31T01:00:00.000Z', 'older than the picked one'],
      ['billing_2026-10-29.bak', '2026-10-29T01:00:00.000Z', 'older than the picked one'],
    ],
  );
  t.match(selection?.reason, /\(backup header \(BackupFinishDate\)\)/);
  t.same(server.sent.filter((text) => !/^(SELECT |RESTORE HEADERONLY )/.test(text)), [], 'no RESTORE DATABASE, nothing written');
});

t.test('a .bak whose header the server cannot read stops the pick, exit 2, with the candidates', async (t) => {
  const server = fakeServer({ ...FIVE, 'billing_2026-11-01-0130.bak': new Error('The media family on device is incorrectly formed. SQL Server cannot process this media family.') });
  await t.rejects(preflight(planIn(t.testdir()), { askSqlServer: 'always', env: ENV, sqlServer: { createPool: server.createPool } }), {
    exitCode: 2,
    message: /cannot tell when D:\\Backups\\EngageIP\\billing_2026-11-01-0130\.bak was taken \(unreadable header: The media family on device is incorrectly formed[^]*Candidates:[^]*billing_2026-10-29\.bak/,
  });
});

t.test('only backups after the bill run, or too old ones, are refused', async (t) => {
  const after = fakeServer({ 'billing_2026-11-02.bak': FIVE['billing_2026-11-02.bak']!, 'billing_2026-10-31-2130.bak': FIVE['billing_2026-10-31-2130.bak']! });
  await t.rejects(preflight(planIn(t.testdir()), { askSqlServer: 'always', env: ENV, sqlServer: { createPool: after.createPool } }), { exitCode: 2, message: /none of the 2 backups was taken before/ });
  const old = fakeServer({ 'billing_2026-10-29.bak': FIVE['billing_2026-10-29.bak']! });
  await t.rejects(preflight(planIn(t.testdir()), { askSqlServer: 'always', env: ENV, sqlServer: { createPool: old.createPool } }), { exitCode: 2, message: /is 73 h older than it, more than `snapshot\.maxAgeHours` \(24\)/ });
});

t.test('`check` without the connection string leaves the pick for later', async (t) => {
  const result = await preflight(planIn(t.testdir()), { askSqlServer: 'when-configured', env: {} });
  t.equal(result.plan.snapshot.kind, 'catalogue');
  t.match(result.notes.join('\n'), /snapshot catalogue folder D:\\Backups\\EngageIP: the backup is picked when the run starts/);
});

t.test('the catalogue listing T-SQL matches tests/golden/tsql/snapshot-catalogue.sql and is plain T-SQL', async (t) => {
  const statements = [{ name: 'backups in the catalogue folder', fragment: backupFolderQuery(FOLDER) }];
  const mismatch = goldenMismatch('snapshot-catalogue.sql', statements);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches the golden file');
  const { text, params } = tsqlDialect.render(statements[0]!.fragment);
  t.same(findNonTsql(text), []);
  t.same(Object.values(params), [FOLDER, '*.bak'], 'the folder is a parameter');
  t.equal(tsqlParseError(text), undefined, 'parses as T-SQL');
});
