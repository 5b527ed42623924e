import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { MARKER_TABLE } from '../../src/run/marker.js';
import { readScript, runVendorScripts } from '../../src/sanitize/vendor-scripts.js';
import { SafetyError, UserError } from '../../src/errors.js';
import { createMssqlEngine } from '../../src/engine/mssql/engine.js';
import { FakeMssql } from './fake-mssql.js';
import { RecordingEngine } from './recording-engine.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/tsql/', import.meta.url));
const CONTACTS = join(FIXTURES, '10-scrub-contacts.sql');
const PAYMENTS = join(FIXTURES, '20-scrub-payments-crlf.sql');
const RUN_ID = 'run-1';

/** A mssql engine over the fake driver whose copy carries this run's marker. */
async function markedEngine(onBatch: (text: string) => number[] | Error) {
  const fake = new FakeMssql();
  fake.respond = (s) => {
    if (s.text.includes('INFORMATION_SCHEMA')) return { recordset: [{ table_name: MARKER_TABLE, column_name: 'run_id', data_type: 'nvarchar' }] };
    if (s.text.startsWith('SELECT [run_id]')) return { recordset: [{ run_id: RUN_ID, created_at: 'x', source: 'y' }] };
    const result = onBatch(s.text);
    return result instanceof Error ? result : { rowsAffected: result };
  };
  const engine = await createMssqlEngine({ connectionString: 'Server=sql.example.test;Database=rehearsal_run_1', connectionStringSource: 'test', createPool: fake.createPool });
  return { fake, engine };
}

t.test('runs every batch of every file in order, with GO n repeats and rows affected per batch', async (t) => {
  const { fake, engine } = await markedEngine((text) => (text.startsWith('UPDATE [Contact] SET [Email]') ? [120] : text.includes('UPDATE [Contact] SET [Phone]') ? [30] : [0]));
  const reported: number[] = [];
  const results = await runVendorScripts(engine, RUN_ID, [CONTACTS], (r) => reported.push(r.batch));
  t.same(
    results.map((r) => [r.batch, r.startLine, r.rowsAffected]),
    [
      [1, 1, 0],
      [2, 4, 120],
      [3, 7, 60],
    ],
  );
  t.same(reported, [1, 2, 3], 'progress reported per batch');
  const batches = fake.sent.filter((s) => s.via === 'batch' && !s.text.startsWith('SELECT [run_id]'));
  t.equal(batches.length, 4, 'the GO 2 batch ran twice');
  t.ok(batches.every((b) => b.inputs.length === 0), 'vendor batches are sent as plain batches, nothing bound into them');
  t.match(batches[2]?.text, /^\/\* The next block stays one batch:\nGO\n\*\/\nUPDATE \[Contact\] SET \[Phone\] = NULL, \[Notes\] = 'moved\nGO\nto archive'$/);
});

t.test('a failing batch names the file, the batch and the file line', async (t) => {
  const serverError = Object.assign(new Error('Divide by zero error encountered.'), { lineNumber: 1, number: 8134 });
  const { engine } = await markedEngine((text) => (text.startsWith('SELECT 1/0') ? serverError : [5]));
  const failure = (await runVendorScripts(engine, RUN_ID, [CONTACTS, PAYMENTS]).catch((e: unknown) => e)) as Error;
  t.type(failure, UserError);
  t.match(failure.message, /^Vendor script 20-scrub-payments-crlf\.sql failed in batch 2 at line 3 \(.*20-scrub-payments-crlf\.sql:3\): Divide by zero/);
  t.equal(failure.cause, serverError, 'the driver error is kept as the cause');
});

t.test('refuses to run on a database without this run\'s marker', async (t) => {
  const unmarked = new RecordingEngine();
  await t.rejects(runVendorScripts(unmarked, RUN_ID, [CONTACTS]), SafetyError);
  t.equal(unmarked.statements.length, 0, 'no batch was sent');
});

t.test('a script that cannot be split is refused before any batch runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-vendor-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broken = join(dir, '30-broken.sql');
  writeFileSync(broken, 'UPDATE [a] SET [b] = 1\nGO x\n');
  const { fake, engine } = await markedEngine(() => [1]);
  await t.rejects(runVendorScripts(engine, RUN_ID, [CONTACTS, broken]), { message: /30-broken\.sql:2: `GO x`/ });
  t.notOk(fake.sent.some((s) => s.text.startsWith('UPDATE')), 'the valid first file did not run either');
});

t.test('reads UTF-8, UTF-16 LE and UTF-16 BE scripts with a byte-order mark', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-vendor-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = "UPDATE [Kunde] SET [Straße] = N'ü'\r\nGO\r\n";
  const le = join(dir, 'le.sql');
  writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  const be = join(dir, 'be.sql');
  writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
  const utf8 = join(dir, 'utf8.sql');
  writeFileSync(utf8, `\uFEFF${text}`);
  t.equal(readScript(le), text);
  t.equal(readScript(be), text);
  t.equal(readScript(utf8), `\uFEFF${text}`, 'UTF-8 BOM is left for the splitter to drop');
  t.equal(tsqlDialect.name, 'tsql');
});
