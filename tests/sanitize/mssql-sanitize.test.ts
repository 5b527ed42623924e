import t, { type Test } from 'tap';
import { MSSQL_URL, withScratchDatabase } from '../helpers/mssql-scratch.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from '../../src/sql/fragment.js';
import type { MssqlEngine } from '../../src/engine/mssql/engine.js';
import { writeRunMarker } from '../../src/run/marker.js';
import { loadRuleSet, checkRulesAgainstSchema } from '../../src/sanitize/rules.js';
import { createMasker, luhnValid } from '../../src/sanitize/maskers.js';
import { applyRules } from '../../src/sanitize/apply.js';
import { provePiiRemoved } from '../../src/sanitize/proof.js';
import { FAKE_TABLE_PREFIX } from '../../src/sanitize/fake-values.js';
import { silentProgress } from '../../src/ui/progress.js';

/**
 * The T-SQL masking path against a real SQL Server, only when REHEARSAL_MSSQL_URL holds the ADO
 * connection string of a disposable server (its login needs CREATE DATABASE): a scratch
 * database with a few rows, the rules, then the proof.
 */
const url = MSSQL_URL;
const SAFE = 'rehearsal.invalid';

const RULES = `version: 1
rules:
  - table: contacts
    columns:
      first_name: first-name
      email: email
      phone: phone
      notes: free-text
  - table: staff_users
    columns:
      email: email
  - table: payment_methods
    columns:
      card_number: card-pan
      holder_name: full-name
      bank_account_number: keyed-hash
`;

if (url === undefined) {
  t.plan(0, 'SQL Server sanitize suite skipped: set REHEARSAL_MSSQL_URL to the connection string of a disposable SQL Server to run it');
} else {
  t.test('T-SQL masking: deterministic across tables, test PANs, NULLs kept, proof passes', async (t) => {
    await withScratchDatabase(url, (copy, runId) => exercise(t, copy, runId));
  });

  async function exercise(t: Test, copy: MssqlEngine, runId: string): Promise<void> {
    await writeRunMarker(copy, { runId, createdAt: new Date().toISOString(), source: 'integration test' });
    await copy.exec(sql`CREATE TABLE [contacts] ([id] INT IDENTITY PRIMARY KEY, [first_name] NVARCHAR(100), [email] NVARCHAR(200), [phone] NVARCHAR(50), [notes] NVARCHAR(MAX))`);
    await copy.exec(sql`CREATE TABLE [staff_users] ([id] INT IDENTITY PRIMARY KEY, [email] NVARCHAR(200))`);
    await copy.exec(sql`CREATE TABLE [payment_methods] ([id] INT IDENTITY PRIMARY KEY, [card_number] VARCHAR(32), [holder_name] NVARCHAR(200), [bank_account_number] VARCHAR(40))`);
    await copy.exec(sql`INSERT INTO [contacts] ([first_name], [email], [phone], [notes]) VALUES
      (N'Ada', N' Ada@Analytical.example', N'(212) 555-7788', N'write to ada@analytical.example'),
      (N'Alan', NULL, NULL, N'prefers calls')`);
    await copy.exec(sql`INSERT INTO [staff_users] ([email]) VALUES (N'ada@analytical.example')`);
    await copy.exec(sql`INSERT INTO [payment_methods] ([card_number], [holder_name], [bank_account_number]) VALUES ('4539 5787 6362 1486', N'Ada Lovelace', NULL)`);

    const dir = mkdtempSync(join(tmpdir(), 'rehearsal-mssql-sanitize-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    const ruleSet = loadRuleSet(join(dir, 'rules.yaml'));
    checkRulesAgainstSchema(ruleSet, await copy.tables());
    await applyRules(copy, ruleSet, createMasker(randomBytes(32), SAFE), SAFE, silentProgress);

    const contacts = await copy.query<{ email: string | null; phone: string | null; notes: string }>(sql`SELECT [email], [phone], [notes] FROM [contacts] ORDER BY [id]`);
    const [staff] = await copy.query<{ email: string }>(sql`SELECT [email] FROM [staff_users]`);
    t.match(contacts[0]?.email, /^[a-z.]+\.[0-9a-f]{10}@rehearsal\.invalid$/);
    t.equal(contacts[0]?.email, staff?.email, 'the same address masks alike in both tables');
    t.match(contacts[0]?.phone, /^\+1 555 01\d\d$/);
    t.match(contacts[0]?.notes, /^\[scrubbed [a-p]{13}\]$/, 'T-SQL replaces a note with an address in it whole');
    t.equal(contacts[1]?.email, null, 'NULL stays NULL');
    t.equal(contacts[1]?.notes, 'prefers calls', 'a note without an address or number is kept');
    const [card] = await copy.query<{ card_number: string; bank_account_number: string | null }>(sql`SELECT [card_number], [bank_account_number] FROM [payment_methods]`);
    t.match(card?.card_number, /^400000\d{6}1486$/);
    t.ok(luhnValid(card?.card_number ?? ''), 'Luhn-valid test PAN');
    t.equal(card?.bank_account_number, null);
    t.same((await copy.tables()).filter((table) => table.name.startsWith(FAKE_TABLE_PREFIX)), [], 'fake-value tables dropped');
    const proof = await provePiiRemoved(copy, ruleSet, { safeDomain: SAFE, productionHosts: [], allow: [] });
    t.ok(proof.passed, JSON.stringify(proof.findings));
  }
}
