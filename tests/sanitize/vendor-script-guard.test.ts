import t from 'tap';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { checkVendorScripts, guardVendorScripts, runVendorScripts } from '../../src/sanitize/vendor-scripts.js';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors, UserError } from '../../src/errors.js';
import { silentProgress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { contentHash, makeTinyDatabase, readColumn } from '../helpers/tiny-db.js';
import { sha256 } from '../helpers/sample-fixture.js';

const RUN_ID = 'guard-run-1';

async function markedTinyEngine(t: { teardown(fn: () => unknown): void }) {
  const db = makeTinyDatabase();
  const engine = SqliteEngine.open(db.path);
  t.teardown(async () => {
    await engine.close();
    db.cleanup();
  });
  await writeRunMarker(engine, { runId: RUN_ID, createdAt: 'now', source: 'tiny' });
  return { engine, path: db.path, dir: db.dir };
}

function planDir(t: { teardown(fn: () => unknown): void }) {
  const dir = makePlanDir();
  t.teardown(() => dir.cleanup());
  return dir;
}

t.test('D2: a vendor script that commits, attaches the snapshot and writes it is refused before anything runs', async (t) => {
  const { engine, path, dir } = await markedTinyEngine(t);
  const plans = planDir(t);
  const snapshot = join(plans.dir, 'snapshot.db');
  copyFileSync(path, snapshot);
  const script = plans.write('vendor/66-escape.sql', `UPDATE owners SET name = 'Reseller';\nCOMMIT; ATTACH '${snapshot}' AS s; CREATE TABLE s.x(a); DETACH s; BEGIN;\n`);
  const rules = join(plans.dir, 'rules.yaml');
  writeFileSync(rules, readFileSync(rules, 'utf8').replace('vendor/10-clear-cancelled-notes.sql', 'vendor/66-escape.sql'));
  const plan = loadPlan(plans.write('plan.yaml', validPlanText()));
  const ctx: RunContext = {
    plan,
    run: { runId: RUN_ID, dir, workDir: dir, state: { runId: RUN_ID, planFile: 'p', createdAt: '', ownerPid: process.pid }, save() {} },
    progress: silentProgress,
    engine,
    checks: [],
  };
  const snapshotBefore = sha256(snapshot);
  const copyBefore = contentHash(path);
  const failure = (await sanitize(ctx).catch((e: unknown) => e)) as UserError;
  t.type(failure, ConfigErrors);
  t.equal(failure.exitCode, 2);
  t.match(failure.message, new RegExp(`${script}:2:1: vendor scripts may not use COMMIT`));
  t.match(failure.message, new RegExp(`${script}:2:9: vendor scripts may not use ATTACH: ATTACH opens another database file`));
  t.match(failure.message, new RegExp(`${script}:2:\\d+: vendor scripts may not use DETACH`));
  t.match(failure.message, new RegExp(`${script}:2:\\d+: vendor scripts may not use BEGIN`));
  t.equal(sha256(snapshot), snapshotBefore, 'the snapshot is byte-identical');
  t.equal(contentHash(path), copyBefore, 'nothing ran on the copy either: not the rules, not the first statement');
  t.notOk(ctx.run.state.sanitizeProofPassed, 'no proof recorded');
});

const REFUSED: readonly [string, RegExp][] = [
  ['BEGIN;', /:3:1: vendor scripts may not use BEGIN/],
  ['BEGIN IMMEDIATE TRANSACTION;', /:3:1: vendor scripts may not use BEGIN/],
  ['COMMIT;', /:3:1: vendor scripts may not use COMMIT/],
  ['end transaction;', /:3:1: vendor scripts may not use END/],
  ['ROLLBACK;', /:3:1: vendor scripts may not use ROLLBACK/],
  ['SAVEPOINT scrub;', /:3:1: vendor scripts may not use SAVEPOINT/],
  ['RELEASE scrub;', /:3:1: vendor scripts may not use RELEASE/],
  ["ATTACH DATABASE 'other.db' AS other;", /:3:1: vendor scripts may not use ATTACH/],
  ['DETACH other;', /:3:1: vendor scripts may not use DETACH/],
  ['VACUUM;', /:3:1: vendor scripts may not use VACUUM/],
  ["VACUUM INTO 'copy.db';", /:3:1: vendor scripts may not use VACUUM/],
  ['  PRAGMA journal_mode = WAL;', /:3:3: vendor scripts may not use PRAGMA/],
  ['PRAGMA writable_schema = ON;', /:3:1: vendor scripts may not use PRAGMA/],
  ['PRAGMA main.locking_mode = EXCLUSIVE;', /:3:1: vendor scripts may not use PRAGMA/],
  ["EXPLAIN ATTACH 'other.db' AS other;", /:3:9: vendor scripts may not use ATTACH/],
  ["SELECT name, load_extension('/tmp/evil.so') FROM owners;", /:3:14: vendor scripts may not call load_extension/],
  ["SELECT \"LOAD_EXTENSION\"('/tmp/evil.so');", /:3:8: vendor scripts may not call load_extension/],
];

t.test('D2: each refused statement is named at file:line:column and the file does not run at all', async (t) => {
  const { engine, path } = await markedTinyEngine(t);
  const plans = planDir(t);
  for (const [statement, expected] of REFUSED) {
    const before = contentHash(path);
    const script = plans.write('refused.sql', `UPDATE owners SET name = 'Reseller';\n-- then\n${statement}\nUPDATE accounts SET notes = NULL;\n`);
    const failure = (await runVendorScripts(engine, RUN_ID, [script]).catch((e: unknown) => e)) as UserError;
    t.type(failure, ConfigErrors, statement);
    t.match(failure.message, expected, statement);
    t.match(failure.message, /^.*refused\.sql:3:/, `${statement}: located in the file`);
    t.equal(contentHash(path), before, `${statement}: not even the first statement ran`);
  }
  t.notOk(existsSync(join(plans.dir, 'copy.db')) || existsSync(join(plans.dir, 'other.db')), 'no file was made');
});

t.test('keywords inside strings, quoted identifiers, comments and trigger bodies are not refused', async (t) => {
  const { engine, path } = await markedTinyEngine(t);
  const plans = planDir(t);
  const script = plans.write(
    'hostile.sql',
    [
      "-- COMMIT; ATTACH 'x' AS y; PRAGMA writable_schema = ON;",
      '/* BEGIN; VACUUM INTO \'/tmp/x\'; load_extension(\'x\') */',
      "UPDATE accounts SET notes = 'COMMIT; ATTACH ''/etc/x'' AS s; -- not a comment /*' WHERE id = 1;",
      "CREATE TABLE \"begin\" (\"commit\" TEXT, [attach] TEXT, `vacuum` TEXT);",
      "INSERT INTO \"begin\" VALUES ('load_extension(''x'')', 'END; ROLLBACK', 'PRAGMA x');",
      'CREATE TRIGGER owners_renamed AFTER UPDATE ON owners BEGIN',
      "  INSERT INTO \"begin\" VALUES (CASE WHEN new.name IS NULL THEN 'none' ELSE new.name END, 'from trigger', 'x');",
      '  UPDATE accounts SET notes = NULL WHERE id = 2;',
      'END;',
      "UPDATE owners SET name = 'Reseller';",
      '',
    ].join('\n'),
  );
  t.doesNotThrow(() => guardVendorScripts([script], 'sqlite'));
  const results = await runVendorScripts(engine, RUN_ID, [script]);
  t.equal(results.length, 1);
  t.same(readColumn(path, 'SELECT notes FROM accounts WHERE id = 1'), ["COMMIT; ATTACH '/etc/x' AS s; -- not a comment /*"]);
  t.same(readColumn(path, 'SELECT "commit" || \'|\' || attach || \'|\' || vacuum FROM "begin" ORDER BY rowid'), [
    "load_extension('x')|END; ROLLBACK|PRAGMA x",
    'Reseller|from trigger|x',
  ], 'the trigger was created whole and fired');
});

t.test('D11: a vendor script failing on line 8 is reported at line 8, and the file is rolled back', async (t) => {
  const { engine, path } = await markedTinyEngine(t);
  const plans = planDir(t);
  const script = plans.write(
    '40-line-eight.sql',
    [
      '-- Scrub owners, then notes.',
      "UPDATE owners SET name = 'Reseller';",
      '',
      'UPDATE accounts',
      '   SET notes = NULL',
      " WHERE status = 'cancelled';",
      '-- the next statement names a column that does not exist',
      '  UPDATE accounts SET no_such_column = 1;',
      "UPDATE accounts SET notes = 'never';",
      '',
    ].join('\n'),
  );
  const before = contentHash(path);
  const failure = (await runVendorScripts(engine, RUN_ID, [script]).catch((e: unknown) => e)) as Error;
  t.type(failure, UserError);
  t.match(failure.message, /^Vendor script 40-line-eight\.sql failed in batch 1 at line 8 \(.*40-line-eight\.sql:8:3\): no such column: no_such_column/);
  t.equal(contentHash(path), before, 'the statements before it were rolled back');
});

t.test('checkVendorScripts dry-runs scripts against a read-only snapshot and locates what would fail', async (t) => {
  const db = makeTinyDatabase();
  t.teardown(() => db.cleanup());
  const plans = planDir(t);
  const good = plans.write('10-good.sql', "CREATE TABLE vendor_steps (step TEXT);\nINSERT INTO vendor_steps SELECT name FROM owners;\nUPDATE accounts SET notes = NULL WHERE status = 'cancelled';\n");
  const later = plans.write('20-uses-earlier.sql', 'DELETE FROM vendor_steps;\n');
  const broken = plans.write('30-broken.sql', "UPDATE owners SET name = 'x';\n\n\nUPDATE accounts SET nope = 1;\n");
  const syntax = plans.write('40-syntax.sql', 'UPDATE owners SET name = ;\n');
  const refused = plans.write('50-refused.sql', `ATTACH '${join(plans.dir, 'made-by-dry-run.db')}' AS x;\nCREATE TABLE x.t (a);\n`);
  const before = sha256(db.path);
  const connection = new Database(db.path, { readonly: true, fileMustExist: true });
  t.teardown(() => connection.close());

  t.doesNotThrow(() => checkVendorScripts(connection, [good, later]), 'a later file sees the tables an earlier one creates');
  const failure = (() => {
    try {
      checkVendorScripts(connection, [good, broken, syntax]);
    } catch (error) {
      return error as Error;
    }
    return undefined;
  })();
  t.type(failure, ConfigErrors);
  t.match(failure?.message, new RegExp(`${broken}:4:1: vendor script statement fails: no such column: nope`));
  t.match(failure?.message, new RegExp(`${syntax}:1:1: vendor script statement fails: near ";": syntax error`));
  t.throws(() => checkVendorScripts(connection, [refused]), { message: /50-refused\.sql:1:1: vendor scripts may not use ATTACH/ });
  t.notOk(existsSync(join(plans.dir, 'made-by-dry-run.db')), 'a refused script is never run, not even on the scratch copy');
  t.equal(sha256(db.path), before, 'the snapshot was only read');
});

t.test('T-SQL: USE, RESTORE, BACKUP, other databases and servers, extended procedures and OPENROWSET are refused', async (t) => {
  const plans = planDir(t);
  const cases: [string, RegExp][] = [
    ['USE master', /:2:1: vendor scripts may not use USE/],
    ["RESTORE DATABASE billing FROM DISK = N'/var/opt/mssql/billing.bak'", /:2:1: vendor scripts may not use RESTORE/],
    ["BACKUP DATABASE billing TO DISK = N'/tmp/b.bak'", /:2:1: vendor scripts may not use BACKUP/],
    ['UPDATE Billing.dbo.Contact SET Email = NULL', /:2:8: vendor scripts may not use three- or four-part names/],
    ['DELETE FROM [Billing]..[Contact]', /:2:13: vendor scripts may not use three- or four-part names/],
    ['SELECT * FROM prodsrv.Billing.dbo.Contact', /:2:15: vendor scripts may not use three- or four-part names/],
    ["EXEC xp_cmdshell 'dir'", /:2:6: vendor scripts may not call xp_cmdshell/],
    ["EXEC sp_configure 'show advanced options', 1", /:2:6: vendor scripts may not call sp_configure/],
    ["EXEC [sp_executesql] N'USE master'", /:2:6: vendor scripts may not call sp_executesql/],
    ["SELECT * FROM OPENROWSET('SQLNCLI', 'Server=prod;', 'SELECT 1')", /:2:15: vendor scripts may not use OPENROWSET/],
    ["SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=prod').Billing.dbo.Contact", /:2:15: vendor scripts may not use OPENDATASOURCE/],
    ["EXEC ('USE master')", /:2:1: vendor scripts may not use EXEC with a string or a variable/],
    ["EXECUTE AS LOGIN = 'sa'", /:2:1: vendor scripts may not use EXECUTE AS/],
    ["BULK INSERT dbo.Contact FROM '/etc/passwd'", /:2:1: vendor scripts may not use BULK INSERT/],
    ['DROP DATABASE Billing', /:2:1: vendor scripts may not DROP DATABASE/],
    ["CREATE ASSEMBLY evil FROM '/tmp/evil.dll'", /:2:1: vendor scripts may not CREATE ASSEMBLY/],
    ['ALTER LOGIN sa ENABLE', /:2:1: vendor scripts may not ALTER LOGIN/],
  ];
  for (const [statement, expected] of cases) {
    const script = plans.write('refused.sql', `SET NOCOUNT ON\n${statement}\nGO\n`);
    t.throws(() => guardVendorScripts([script], 'mssql'), { message: expected }, statement);
  }
});

t.test('T-SQL: the same words inside strings, brackets and comments, and ordinary two-part names, are allowed', async (t) => {
  const plans = planDir(t);
  const script = plans.write(
    'allowed.sql',
    [
      '-- USE master; RESTORE DATABASE x; EXEC xp_cmdshell',
      '/* BACKUP DATABASE x /* nested */ Billing.dbo.Contact */',
      "UPDATE [dbo].[Contact] SET [Notes] = N'USE master; RESTORE; Billing.dbo.Contact; OPENROWSET(' WHERE [Notes] LIKE '%xp_%'",
      'GO',
      'UPDATE c SET c.Email = NULL, c.[Backup] = 0 FROM dbo.Contact AS c',
      'SELECT 1.5, 2.0E3 OPTION (USE HINT (\'FORCE_LEGACY_CARDINALITY_ESTIMATION\'))',
      'DECLARE @rc INT; EXEC @rc = dbo.ScrubArchive',
      'EXEC dbo.ScrubContacts @Domain = N\'rehearsal.invalid\'',
      'GO',
    ].join('\n'),
  );
  t.doesNotThrow(() => guardVendorScripts([script], 'mssql'));
});
