import t from 'tap';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { silentProgress } from '../../src/ui/progress.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { restoreOnSqlServer } from '../../src/stages/restore-sql-server.js';
import { dropSqlServerCopies } from '../../src/stages/drop-sql-server-copies.js';
import { keepBeforeBillRunOnSqlServer, maskProductionOnSqlServer } from '../../src/stages/state-copies-sql-server.js';
import { stateDifferential } from '../../src/stages/verify.js';
import { keepMethod } from '../../src/engine/mssql/side-copies.js';
import { copyOnlyBackupStatement, createSnapshotStatement, dataFilesQuery, defaultBackupPathQuery, deleteBackupFileStatement, dropSnapshotStatement, serverEditionQuery } from '../../src/engine/mssql/side-copy-sql.js';
import { createMasker } from '../../src/sanitize/maskers.js';
import type { RuleSet } from '../../src/sanitize/rules.js';
import { Profile } from '../../src/platform/profile.js';
import type { RunContext } from '../../src/pipeline/context.js';
import type { Row } from '../../src/engine/types.js';
import { makePlanDir, mssqlPlanText } from '../helpers/plan-fixture.js';
import { FakeServer } from './fake-server.js';
import { RecordingEngine } from './recording-engine.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from './golden.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const ENV = { REHEARSAL_MSSQL_URL: 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password={p;w};TrustServerCertificate=true' };
const NO_RULES: RuleSet = { file: 'rules.yaml', rules: [], vendorScripts: [], errorAt: () => { throw new Error('no rules'); } };
const MASKER = createMasker(Buffer.alloc(32, 7), 'rehearsal.invalid');

function runOn(runId: string): RunContext {
  const plan = loadPlan(dir.write(`${runId}.yaml`, mssqlPlanText('backupFile: /var/opt/mssql/backup/billing.bak')));
  return { plan, run: createRunFolder(join(dir.dir, 'reports'), plan.file, runId), progress: silentProgress, checks: [] };
}

/** Restores the run's copy on the fake server, with production's result beside it. */
async function restored(server: FakeServer, runId: string): Promise<RunContext> {
  server.databases.set('billing_after_run', { tables: new Set(['accounts']) });
  const ctx = runOn(runId);
  await restoreOnSqlServer(ctx, ENV, { createPool: server.createPool });
  await ctx.engine?.close();
  return ctx;
}

const PARSER_GAPS = {
  backup: 'node-sql-parser 5.4 transactsql has no BACKUP DATABASE',
  drop: 'node-sql-parser 5.4 transactsql has no DROP DATABASE',
  exec: 'node-sql-parser 5.4 transactsql has no EXEC of a procedure with arguments, nor INSERT … EXEC',
};

t.test('golden T-SQL of the state differential copies: edition, snapshot from parameters only, COPY_ONLY backup, snapshot drop', async (t) => {
  const hostile = "EngageIP'); DROP DATABASE [billing]; --";
  const golden: GoldenStatement[] = [
    { name: 'server edition', fragment: serverEditionQuery() },
    { name: 'data files of the copy', fragment: dataFilesQuery('rehearsal_20261101_015500_a1b2c3') },
    {
      name: 'snapshot before the bill run',
      fragment: createSnapshotStatement('rehearsal_20261101_015500_a1b2c3_pre', 'rehearsal_20261101_015500_a1b2c3', [
        { logicalName: 'EngageIP', path: "D:\\MSSQL\\Data\\rehearsal_20261101_015500_a1b2c3_pre_1.ss" },
        { logicalName: hostile, path: "D:\\MSSQL\\Data\\O'Brien\\rehearsal_20261101_015500_a1b2c3_pre_2.ss" },
      ]),
    },
    { name: 'default backup folder', fragment: defaultBackupPathQuery() },
    { name: "COPY_ONLY backup of production's result", fragment: copyOnlyBackupStatement('billing_after_run', 'D:\\Backups\\rehearsal_20261101_015500_a1b2c3_production.bak'), unparsable: PARSER_GAPS.backup },
    { name: 'drop the snapshot', fragment: dropSnapshotStatement('rehearsal_20261101_015500_a1b2c3_pre'), unparsable: PARSER_GAPS.drop },
    { name: 'delete the backup file, then ask whether it is gone', fragment: deleteBackupFileStatement("D:\\Backups\\O'Brien\\rehearsal_20261101_015500_a1b2c3_production.bak"), unparsable: PARSER_GAPS.exec },
  ];
  const mismatch = goldenMismatch('state-differential-copies.sql', golden);
  t.equal(mismatch?.actual, mismatch?.expected, 'matches tests/golden/tsql/state-differential-copies.sql');
  for (const { name, fragment, unparsable } of golden) {
    const { text, params } = tsqlDialect.render(fragment);
    t.same(findNonTsql(text), [], `${name}: no constructs from other dialects`);
    t.notOk(text.includes('Brien') || text.includes('DROP DATABASE [billing]') || text.includes('D:\\'), `${name}: names and paths are parameters, not text`);
    if (name === 'snapshot before the bill run') t.ok(Object.values(params).includes(hostile), 'a hostile logical file name is bound, then QUOTENAME-d on the server');
    const parseError = tsqlParseError(text);
    if (unparsable === undefined) t.equal(parseError, undefined, `${name}: parses as T-SQL`);
    else t.not(parseError, undefined, `${name}: still beyond node-sql-parser (${unparsable}); check it by hand or drop the exception`);
  }
});

t.test('how the state before the bill run is kept: a snapshot where the edition has them, a second copy where not, nothing on RDS or Azure SQL', async (t) => {
  const edition = (engineEdition: number, productVersion: string, onRds = false) => ({ engineEdition, productVersion, onRds });
  t.same(keepMethod(edition(3, '11.0.7001.0'), false), { method: 'snapshot' }, 'Enterprise or Developer, any version');
  t.same(keepMethod(edition(2, '13.0.4001.0'), false), { method: 'snapshot' }, 'Standard from 2016 SP1');
  t.same(keepMethod(edition(4, '16.0.1000.6'), false), { method: 'snapshot' }, 'Express 2022');
  t.same(keepMethod(edition(2, '13.0.1601.5'), false), { method: 'backup-restore' }, 'Standard 2016 RTM: no snapshots yet');
  t.same(keepMethod(edition(2, '12.0.6024.0'), false), { method: 'backup-restore' }, 'Standard 2014');
  t.same(keepMethod(edition(3, '16.0.4135.4'), true), { method: 'backup-restore' }, 'a copy to be masked is never a snapshot');
  t.match(keepMethod(edition(2, '15.0.4345.5', true), false), { method: 'none', why: /Amazon RDS .* no database snapshots/ });
  t.match(keepMethod(edition(5, '12.0.2000.8'), false), { method: 'none', why: /Azure SQL/ });
});

t.test('Enterprise: a snapshot carrying the run marker before the bill run, a masked production copy, and destroy drops the snapshot first', async (t) => {
  const server = new FakeServer();
  const ctx = await restored(server, 'run-snap-1');
  const masked = await maskProductionOnSqlServer(ctx, NO_RULES, MASKER, ENV, { createPool: server.createPool });
  t.match(masked, /billing_after_run copied to rehearsal_run_snap_1_production \(its backup file deleted\) and masked alike/);
  t.same([...server.backups.keys()], [], "the backup of production's result, unmasked, is not left on the server");
  const kept = await keepBeforeBillRunOnSqlServer(ctx, ENV, { createPool: server.createPool });
  t.match(kept, /database snapshot rehearsal_run_snap_1_pre of rehearsal_run_snap_1/);
  t.same(ctx.run.state.sqlServerCopies, [
    { database: 'rehearsal_run_snap_1', createdByRun: true },
    { database: 'rehearsal_run_snap_1_production', createdByRun: true, role: 'production-masked', of: 'billing_after_run' },
    { database: 'rehearsal_run_snap_1_pre', createdByRun: true, role: 'before-bill-run', of: 'rehearsal_run_snap_1', snapshot: true },
  ]);
  t.equal(server.databases.get('rehearsal_run_snap_1_pre')?.snapshotOf, 'rehearsal_run_snap_1');
  t.equal(server.databases.get('rehearsal_run_snap_1_pre')?.marker?.[0], 'run-snap-1', "the snapshot carries the copy's run marker");
  t.equal(server.databases.get('rehearsal_run_snap_1_production')?.marker?.[0], 'run-snap-1', 'the masked production copy carries this run marker');
  t.ok(server.log.some((l) => l.database === 'master' && l.text.startsWith('BACKUP DATABASE [billing_after_run] TO DISK = @p0 WITH COPY_ONLY')), "production's result is only read, by a COPY_ONLY backup");
  t.notOk(server.log.some((l) => l.database === 'billing_after_run'), "nothing is sent to production's result itself");
  t.ok(server.log.some((l) => l.database === 'rehearsal_run_snap_1_production' && l.text.includes('SET RECOVERY SIMPLE')), 'the masking ran on the copy');

  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.same(removed.map((r) => r.split(' on ')[0]), ['database snapshot rehearsal_run_snap_1_pre', 'database rehearsal_run_snap_1', 'database rehearsal_run_snap_1_production'], 'the snapshot goes first');
  t.same([...server.databases.keys()], ['billing_after_run'], 'only production is left');
  t.notOk(server.log.some((l) => l.text.startsWith('ALTER DATABASE [rehearsal_run_snap_1_pre]')), 'a snapshot is never set to single-user');
  t.same(ctx.run.state.sqlServerCopies, []);
});

t.test('Standard 2014: the state before the bill run is a second copy from a COPY_ONLY backup; destroy drops it like the copy', async (t) => {
  const server = new FakeServer();
  server.edition = { engine_edition: 2, product_version: '12.0.6024.0', on_rds: 0 };
  const ctx = await restored(server, 'run-std-1');
  t.match(await keepBeforeBillRunOnSqlServer(ctx, ENV, { createPool: server.createPool }), /rehearsal_run_std_1_pre restored from a COPY_ONLY backup of rehearsal_run_std_1 as the state before the bill run \(its backup file deleted\)/);
  t.same([...server.backups.keys()], [], 'no backup file left on the server');
  t.notOk(ctx.run.state.sqlServerCopies?.some((c) => c.backupFile !== undefined), 'and none recorded as left');
  t.equal(server.databases.get('rehearsal_run_std_1_pre')?.marker?.[0], 'run-std-1', 'the second copy carries the run marker of the copy it was backed up from');
  t.notOk(server.databases.get('rehearsal_run_std_1_pre')?.snapshotOf, 'not a snapshot');
  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.equal(removed.length, 2);
  t.notOk(server.databases.has('rehearsal_run_std_1_pre'));
});

for (const refusal of ['denied', 'silently-keeps'] as const) {
  t.test(`a backup file the server does not delete (${refusal}) is named with what to do, kept in the state, and deleted by \`rehearse down\``, async (t) => {
    const server = new FakeServer();
    const ctx = await restored(server, `run-bak-${refusal}`);
    const copy = `rehearsal_run_bak_${refusal.replace('-', '_')}`;
    const file = `/var/opt/mssql/backup/${copy}_production.bak`;
    server.backupDeletion = refusal;
    const masked = await maskProductionOnSqlServer(ctx, NO_RULES, MASKER, ENV, { createPool: server.createPool });
    t.match(masked, `its backup file ${file}, which holds production's result unmasked, could not be deleted`);
    t.match(masked, refusal === 'denied' ? /EXECUTE permission was denied/ : /still has it/, 'and why');
    t.ok(server.backups.has(file), 'the file is there');
    t.equal(ctx.run.state.sqlServerCopies?.find((c) => c.database === `${copy}_production`)?.backupFile, file, 'the run remembers it');

    const stillRefused = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
    t.ok(stillRefused.some((r) => r.startsWith(`NOT removed: backup file ${file}`) && r.includes('it holds a copy of billing_after_run: delete it on the server')), stillRefused.join('\n'));
    t.notOk(server.databases.has(`${copy}_production`), 'the databases are dropped all the same');
    t.same(ctx.run.state.sqlServerCopies?.map((c) => c.backupFile), [file], 'what is left stays in the state, so destroy is not done');

    server.backupDeletion = 'deletes';
    const again = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
    t.ok(again.some((r) => r.startsWith(`backup file ${file} on `)), again.join('\n'));
    t.same([...server.backups.keys()], [], 'gone');
    t.same(ctx.run.state.sqlServerCopies, [], 'nothing left to remove');
  });
}

t.test('a run stopped between the backup and the restore still knows the file, and destroy deletes it', async (t) => {
  const server = new FakeServer();
  server.edition = { engine_edition: 2, product_version: '12.0.6024.0', on_rds: 0 };
  const ctx = await restored(server, 'run-cut-1');
  server.failRestoreOf = 'rehearsal_run_cut_1_pre';
  t.match(await keepBeforeBillRunOnSqlServer(ctx, ENV, { createPool: server.createPool }), /making the copy as it was before the bill run failed/);
  t.equal(ctx.run.state.sqlServerCopies?.find((c) => c.database === 'rehearsal_run_cut_1_pre')?.backupFile, '/var/opt/mssql/backup/rehearsal_run_cut_1_pre.bak', 'recorded before the backup ran');
  t.ok(server.backups.has('/var/opt/mssql/backup/rehearsal_run_cut_1_pre.bak'));
  const removed = await dropSqlServerCopies(ctx.run, ENV, { createPool: server.createPool });
  t.ok(removed.some((r) => r.startsWith('backup file /var/opt/mssql/backup/rehearsal_run_cut_1_pre.bak on ')), removed.join('\n'));
  t.same([...server.backups.keys()], []);
  t.same(ctx.run.state.sqlServerCopies, []);
});

t.test('RDS: nothing is made, and verify says why the state differential did not run', async (t) => {
  const server = new FakeServer();
  server.edition = { engine_edition: 2, product_version: '15.0.4345.5', on_rds: 1 };
  const ctx = await restored(server, 'run-rds-1');
  t.match(await maskProductionOnSqlServer(ctx, NO_RULES, MASKER, ENV, { createPool: server.createPool }), /not possible here: Amazon RDS/);
  t.match(await keepBeforeBillRunOnSqlServer(ctx, ENV, { createPool: server.createPool }), /no state before the bill run kept/);
  t.same(ctx.run.state.sqlServerCopies?.map((c) => c.database), ['rehearsal_run_rds_1'], 'no extra database recorded');
  t.notOk(server.log.some((l) => /^(BACKUP|DECLARE)/.test(l.text)), 'no backup or snapshot attempted');
  const engine = new RecordingEngine();
  const check = await stateDifferential(ctx, engine, engine, new Profile(ctx.plan.platform.adapter));
  t.equal(check.status, 'skipped');
  t.match(check.summary, /not run: .*Amazon RDS for SQL Server has no database snapshots/);
});

t.test('verify compares the three databases the run recorded, by three-part names, on the connection it has', async (t) => {
  const server = new FakeServer();
  const ctx = await restored(server, 'run-verify-1');
  await maskProductionOnSqlServer(ctx, NO_RULES, MASKER, ENV, { createPool: server.createPool });
  await keepBeforeBillRunOnSqlServer(ctx, ENV, { createPool: server.createPool });
  const catalogue = (text: string): Row[] => {
    if (text.includes('[sys].[columns] c')) {
      return [
        { table_name: 'accounts', schema_name: 'dbo', column_name: 'id', type_name: 'int', max_length: 4, precision: 10, scale: 0, collation_name: null, is_identity: true, key_ordinal: 1 },
        { table_name: 'accounts', schema_name: 'dbo', column_name: 'balance_cents', type_name: 'int', max_length: 4, precision: 10, scale: 0, collation_name: null, is_identity: false, key_ordinal: null },
      ];
    }
    if (text.includes(' AS in_rehearsal') && text.includes('[rehearsal_run_verify_1_pre].[dbo].[accounts] p')) return [{ k0: 5, account: null, in_rehearsal: 0, in_production: 1 }];
    return [];
  };
  const engine = new RecordingEngine((f) => catalogue(tsqlDialect.render(f).text));
  const check = await stateDifferential(ctx, engine, new RecordingEngine(), new Profile(ctx.plan.platform.adapter));
  const sent = engine.statements.map((f) => tsqlDialect.render(f).text);
  for (const database of ['rehearsal_run_verify_1', 'rehearsal_run_verify_1_pre', 'rehearsal_run_verify_1_production']) {
    t.ok(sent.some((s) => s.includes(`FROM [${database}].[sys].[tables] t`)), `${database}: its catalogue is read`);
    t.ok(sent.some((s) => s.includes(`[${database}].[dbo].[accounts]`)), `${database}: compared by three-part names`);
  }
  t.equal(check.status, 'failed', 'a row the rehearsal deleted and production kept fails');
  t.match(check.summary, /^1 row\(s\) differ from production's bill run in 1 table\(s\)/);
  t.same(check.evidence?.[0], { table: 'accounts', difference: 'deleted-only-in-rehearsal', rows: 1, accounts: 0, 'example row': '5', 'example account': '—', rehearsal: '—', production: '—' });
});
