import t from 'tap';
import type { Fragment } from '../../src/sql/fragment.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import type { Row } from '../../src/engine/types.js';
import { MARKER_TABLE } from '../../src/run/marker.js';
import { restoreNativeBackup, planFileMoves, joinServerPath } from '../../src/engine/mssql/restore-native.js';
import { restoreRdsBackup, type RdsTaskProgress } from '../../src/engine/mssql/restore-rds.js';
import { attachSnapshotInstance } from '../../src/engine/mssql/restore-snapshot.js';
import { rehearsalDatabaseName } from '../../src/engine/mssql/database-name.js';
import { SafetyError, UserError } from '../../src/errors.js';
import { openRestoreTarget } from '../../src/engine/mssql/restore-target.js';
import { RecordingEngine } from './recording-engine.js';
import { FakeMssql } from './fake-mssql.js';

const RUN_ID = '20261101-015500-a1b2c3';
const DATABASE = 'rehearsal_20261101_015500_a1b2c3';
const BACKUP = '/var/opt/mssql/backup/billing.bak';
const ARN = 'arn:aws:s3:::northwind-billing-backups/billing.bak';

const textOf = (f: Fragment) => tsqlDialect.render(f).text;
const paramsOf = (f: Fragment) => Object.values(tsqlDialect.render(f).params);

/** A server on master answering the restore's questions from `answers` keyed by statement start. */
function server(answers: Record<string, Row[] | (() => Row[])>) {
  return new RecordingEngine((statement) => {
    const text = textOf(statement);
    for (const [start, rows] of Object.entries(answers)) if (text.startsWith(start)) return typeof rows === 'function' ? rows() : rows;
    return [];
  });
}

function restoredCopies() {
  const opened: { name: string; engine: RecordingEngine }[] = [];
  return {
    opened,
    openDatabase: async (name: string) => {
      const engine = new RecordingEngine();
      opened.push({ name, engine });
      return engine;
    },
  };
}

const NATIVE_ANSWERS = {
  'SELECT DB_ID': [{ database_id: null }],
  'RESTORE FILELISTONLY': [
    { LogicalName: 'billing', Type: 'D' },
    { LogicalName: "bill'ing]_log; DROP DATABASE x", Type: 'L' },
  ],
  'SELECT CAST(SERVERPROPERTY': [{ data_path: '/var/opt/mssql/data/', log_path: '/var/opt/mssql/log' }],
};

t.test('native restore: new database, files moved under the default folders, marker written into the copy', async (t) => {
  const master = server(NATIVE_ANSWERS);
  const copies = restoredCopies();
  const restored = await restoreNativeBackup({ server: master, openDatabase: copies.openDatabase }, { runId: RUN_ID, backupPath: BACKUP, createdAt: '2026-11-01T01:55:00Z' });
  t.equal(restored.database, DATABASE);
  t.same(master.statements.map((s) => textOf(s).split(' ').slice(0, 2).join(' ')), ['SELECT DB_ID(@p0)', 'RESTORE FILELISTONLY', 'SELECT CAST(SERVERPROPERTY(@p0)', 'RESTORE DATABASE']);
  const restore = master.statements[3];
  t.ok(restore);
  if (restore === undefined) return;
  t.notMatch(textOf(restore), /REPLACE/, 'never restores over a database');
  t.same(paramsOf(restore), [DATABASE, BACKUP, 'billing', `/var/opt/mssql/data/${DATABASE}_1.mdf`, "bill'ing]_log; DROP DATABASE x", `/var/opt/mssql/log/${DATABASE}_2.ldf`]);
  t.same(copies.opened.map((o) => o.name), [DATABASE], 'opens the restored copy');
  const marker = copies.opened[0]?.engine.statements.map(textOf) ?? [];
  t.match(marker[0], new RegExp(`^CREATE TABLE \\[${MARKER_TABLE}\\]`));
  t.same(paramsOf(copies.opened[0]?.engine.statements[1] ?? ([] as never)), [RUN_ID, '2026-11-01T01:55:00Z', BACKUP], 'marker names this run and the backup');
});

t.test('native restore refuses an existing database name and sends nothing else', async (t) => {
  const master = server({ ...NATIVE_ANSWERS, 'SELECT DB_ID': [{ database_id: 7 }] });
  const copies = restoredCopies();
  await t.rejects(restoreNativeBackup({ server: master, openDatabase: copies.openDatabase }, { runId: RUN_ID, backupPath: BACKUP }), SafetyError);
  t.equal(master.statements.length, 1);
  t.equal(copies.opened.length, 0);
});

t.test('native restore explains an empty backup and a server without default folders', async (t) => {
  const empty = server({ ...NATIVE_ANSWERS, 'RESTORE FILELISTONLY': [] });
  await t.rejects(restoreNativeBackup({ server: empty, ...restoredCopies() }, { runId: RUN_ID, backupPath: BACKUP }), { message: /lists no database files/ });
  const noPaths = server({ ...NATIVE_ANSWERS, 'SELECT CAST(SERVERPROPERTY': [{ data_path: null, log_path: null }] });
  await t.rejects(restoreNativeBackup({ server: noPaths, ...restoredCopies() }, { runId: RUN_ID, backupPath: BACKUP }), { message: /no default data or log folder/ });
  t.notOk(noPaths.statements.some((s) => textOf(s).startsWith('RESTORE DATABASE')), 'no restore without folders');
});

t.test('physical file names come from the database name, never from the backup', async (t) => {
  const moves = planFileMoves('rehearsal_x', [{ LogicalName: '..\\..\\Windows\\evil', Type: 'D' }, { LogicalName: 'b', Type: 'D' }, { LogicalName: 'fs', Type: 'S' }, { LogicalName: 'log', Type: 'L' }], {
    data: 'D:\\Data',
    log: 'L:\\Log\\',
  });
  t.same(moves.map((m) => m.physicalPath), ['D:\\Data\\rehearsal_x_1.mdf', 'D:\\Data\\rehearsal_x_2.ndf', 'D:\\Data\\rehearsal_x_3', 'L:\\Log\\rehearsal_x_4.ldf']);
  t.equal(joinServerPath('/var/opt/mssql/data', 'a.mdf'), '/var/opt/mssql/data/a.mdf');
});

t.test('database names come only from a safe run id', async (t) => {
  t.equal(rehearsalDatabaseName(RUN_ID), DATABASE);
  for (const bad of ['', "x'; DROP DATABASE y; --", 'a]b', '-lead', 'x'.repeat(64), 'ünï']) t.throws(() => rehearsalDatabaseName(bad), UserError, JSON.stringify(bad));
});

/** rds_task_status answers, one list of rows per poll. */
function rdsServer(polls: Row[][]) {
  let poll = 0;
  return server({
    'SELECT DB_ID': [{ database_id: null }],
    'EXEC msdb.dbo.rds_task_status': () => polls[Math.min(poll++, polls.length - 1)] ?? [],
  });
}

const task = (task_id: number, lifecycle: string, percent: number, task_info = '', extra: Row = {}): Row => ({
  task_id,
  task_type: 'RESTORE_DB',
  database_name: DATABASE,
  '% complete': percent,
  lifecycle,
  task_info,
  ...extra,
});

t.test('RDS restore starts the task, polls with progress until SUCCESS, then marks the copy', async (t) => {
  const master = rdsServer([
    [task(3, 'ERROR', 0, 'an older failed attempt'), { ...task(9, 'IN_PROGRESS', 50), task_type: 'BACKUP_DB' }],
    [task(3, 'ERROR', 0), task(4, 'CREATED', 0)],
    [task(3, 'ERROR', 0), task(4, 'IN_PROGRESS', 45)],
    [task(3, 'ERROR', 0), task(4, 'SUCCESS', 100)],
  ]);
  const copies = restoredCopies();
  const progress: RdsTaskProgress[] = [];
  const sleeps: number[] = [];
  const restored = await restoreRdsBackup(
    { server: master, openDatabase: copies.openDatabase },
    { runId: RUN_ID, s3Arn: ARN, pollIntervalMs: 1000, onProgress: (p) => progress.push(p), sleep: async (ms) => void sleeps.push(ms) },
  );
  t.equal(restored.database, DATABASE);
  const start = master.statements[2];
  t.equal(start && textOf(start), 'EXEC msdb.dbo.rds_restore_database @restore_db_name = @p0, @s3_arn_to_restore_from = @p1');
  t.same(start && paramsOf(start), [DATABASE, ARN]);
  t.same(progress.map((p) => [p.taskId, p.lifecycle, p.percentComplete]), [[4, 'CREATED', 0], [4, 'IN_PROGRESS', 45], [4, 'SUCCESS', 100]], 'only the task started now');
  t.same(sleeps, [1000, 1000], 'waited between polls, not after success');
  t.same(paramsOf(copies.opened[0]?.engine.statements[1] ?? ([] as never)).slice(0, 1), [RUN_ID]);
});

t.test('RDS restore surfaces task_info when the task ends in ERROR or CANCELLED', async (t) => {
  for (const lifecycle of ['ERROR', 'CANCELLED']) {
    const master = rdsServer([[], [task(1, 'IN_PROGRESS', 10)], [task(1, lifecycle, 10, 'Access Denied reading s3://northwind-billing-backups/billing.bak')]]);
    const copies = restoredCopies();
    const failure = (await restoreRdsBackup({ server: master, openDatabase: copies.openDatabase }, { runId: RUN_ID, s3Arn: ARN, sleep: async () => {} }).catch((e: unknown) => e)) as Error;
    t.type(failure, UserError, lifecycle);
    t.match(failure.message, new RegExp(`ended ${lifecycle} \\(task 1\\): Access Denied reading`), `${lifecycle}: task_info in the message`);
    t.equal(copies.opened.length, 0, `${lifecycle}: no marker, nothing opened`);
  }
});

t.test('RDS restore gives up at the timeout, naming the last state it saw', async (t) => {
  let clock = 0;
  const master = rdsServer([[], [task(1, 'IN_PROGRESS', 12)]]);
  const failure = (await restoreRdsBackup(
    { server: master, ...restoredCopies() },
    { runId: RUN_ID, s3Arn: ARN, timeoutMs: 60_000, pollIntervalMs: 15_000, now: () => clock, sleep: async (ms) => void (clock += ms) },
  ).catch((e: unknown) => e)) as Error;
  t.match(failure.message, /has not finished after 1 minutes \(task 1, IN_PROGRESS, 12%\)/);
  t.equal(clock, 60_000, 'polled until the deadline, no longer');
});

t.test('RDS restore refuses what is not an S3 object ARN before sending anything', async (t) => {
  for (const arn of ['s3://bucket/key.bak', 'arn:aws:s3:::bucket', "arn:aws:s3:::bucket/x.bak'; DROP DATABASE y"]) {
    const master = rdsServer([[]]);
    await t.rejects(restoreRdsBackup({ server: master, ...restoredCopies() }, { runId: RUN_ID, s3Arn: arn }), UserError, arn);
    t.equal(master.statements.length, 0, `${arn}: nothing sent`);
  }
});

t.test('snapshot attach marks a fresh instance, accepts its own marker, refuses another run or database', async (t) => {
  const options = { runId: RUN_ID, database: 'EngageIP', snapshotId: 'rds:billing-2026-11-01-01-55', createdAt: '2026-11-01T02:00:00Z' };
  const fresh = new RecordingEngine((s) => (textOf(s).startsWith('SELECT DB_NAME()') ? [{ database_name: 'EngageIP' }] : []));
  await attachSnapshotInstance(fresh, options);
  t.same(paramsOf(fresh.statements.at(-1) ?? ([] as never)), [RUN_ID, '2026-11-01T02:00:00Z', 'rds:billing-2026-11-01-01-55'.replace(/^/, 'rds-snapshot:')]);

  const marked = (runId: string) =>
    new RecordingEngine(
      (s) => (textOf(s).startsWith('SELECT DB_NAME()') ? [{ database_name: 'EngageIP' }] : [{ run_id: runId, created_at: 'x', source: 'y' }]),
      [{ name: MARKER_TABLE, columns: [] }],
    );
  const same = marked(RUN_ID);
  await attachSnapshotInstance(same, options);
  t.notOk(same.statements.some((s) => textOf(s).startsWith('INSERT')), 'same run: nothing written again');
  const other = marked('20261001-000000-ffffff');
  await t.rejects(attachSnapshotInstance(other, options), SafetyError);
  t.notOk(other.statements.some((s) => textOf(s).startsWith('INSERT') || textOf(s).startsWith('CREATE')), 'another run: nothing written');

  const wrongDatabase = new RecordingEngine(() => [{ database_name: 'master' }]);
  await t.rejects(attachSnapshotInstance(wrongDatabase, options), { message: /connected to database master, not EngageIP/ });
  t.equal(wrongDatabase.statements.length, 1);
});

t.test('a restore target restores on master and opens the copy on the same server', async (t) => {
  const fake = new FakeMssql();
  const target = await openRestoreTarget({ connectionString: 'Server=sql.example.test;Database=EngageIP;User Id=u;Password=p', connectionStringSource: 'test', createPool: fake.createPool });
  const copy = await target.openDatabase(DATABASE);
  await target.close();
  t.same(fake.configs.map((c) => [c.server, c.database]), [['sql.example.test', 'master'], ['sql.example.test', DATABASE]]);
  t.equal(copy.description, `SQL Server sql.example.test:1433 database ${DATABASE}`);
  t.same(fake.events, ['connect', 'connect', 'close'], 'only the master pool is closed');
});
