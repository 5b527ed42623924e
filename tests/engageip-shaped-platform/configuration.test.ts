import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateSnapshot } from '../../engageip-shaped-platform/generator/generate.js';
import { PRODUCTION_BILL_RUN_CONFIGURATION } from '../../engageip-shaped-platform/generator/catalogue.js';
import { runRequest } from '../../engageip-shaped-platform/service/service.js';
import { parseRelease } from '../../engageip-shaped-platform/service/releases.js';
import type { BillRunRequest } from '../../engageip-shaped-platform/service/bill-run.js';

/**
 * The stand-in's bill-run configuration: production's non-default items change what the run
 * writes, every item is recorded against the run, and a bad configuration fails the request
 * before anything is billed. No mail, charge or provisioning is asked for, so nothing leaves.
 */
const template = join(t.testdir({}), 'snapshot.db');
generateSnapshot({ accounts: 40, seed: 3, billDate: '2026-11-01', out: template });

async function billWith(t: Test, configuration: string): Promise<Database.Database> {
  const file = join(t.testdir({}), 'copy.db');
  const source = new Database(template, { readonly: true });
  await source.backup(file);
  source.close();
  const db = new Database(file);
  t.teardown(() => db.close());
  const id = Number(db.prepare("INSERT INTO [BillRunRequest] ([BillDate], [Configuration], [Status], [RequestedDate]) VALUES ('2026-11-01', ?, 'Pending', '2026-11-01 02:00:00')").run(configuration).lastInsertRowid);
  const request = db.prepare('SELECT [ID], [BillDate], [EmailInvoices], [ChargeAutoPay], [Provision], [Configuration] FROM [BillRunRequest] WHERE [ID] = ?').get(id) as BillRunRequest;
  await runRequest(db, parseRelease('production', ''), request, () => undefined).catch((error: Error) => {
    db.prepare("UPDATE [BillRunRequest] SET [Status] = 'Failed', [ErrorMessage] = ? WHERE [ID] = ?").run(error.message, id);
  });
  return db;
}

const recurring = (db: Database.Database): string[] => db.prepare("SELECT [Description] FROM [InvoiceCharge] WHERE [ChargeType] = 'Recurring' ORDER BY [ID]").pluck().all() as string[];

t.test("production's configuration names the service period; the defaults do not, and every item is recorded", async (t) => {
  const production = await billWith(t, JSON.stringify(PRODUCTION_BILL_RUN_CONFIGURATION));
  const defaults = await billWith(t, '{}');
  t.ok(recurring(production).length > 0, 'recurring charges were billed');
  t.ok(recurring(production).every((d) => / \(2026-11-01 to \d{4}-\d{2}-01\)$/.test(d)), 'every recurring charge names its period');
  t.notOk(recurring(defaults).some((d) => d.includes('2026-11-01')), 'by default no charge names a period');
  const recorded = (db: Database.Database): unknown => db.prepare('SELECT [Name], [Value] FROM [BillRunSetting] WHERE [BillRunID] = (SELECT MAX([ID]) FROM [BillRun]) ORDER BY [Name]').all();
  t.same(recorded(production), [{ Name: 'Invoice.ShowServicePeriod', Value: 'True' }, { Name: 'Invoice.TaxChargeDescription', Value: 'Sales tax' }]);
  t.same(recorded(defaults), [{ Name: 'Invoice.ShowServicePeriod', Value: 'False' }, { Name: 'Invoice.TaxChargeDescription', Value: 'Sales tax' }]);
});

t.test('an unknown item or value fails the request with what the release knows, and bills nothing', async (t) => {
  for (const [configuration, message] of [
    ['{"Invoice.Colour":"Blue"}', /unknown bill-run configuration item "Invoice\.Colour"; this release knows Invoice\.ShowServicePeriod, Invoice\.TaxChargeDescription/],
    ['{"Invoice.ShowServicePeriod":"yes"}', /must be "True" or "False", not "yes"/],
    ['not json', /\[Configuration\] is not JSON/],
  ] as const) {
    const db = await billWith(t, configuration);
    t.match(db.prepare('SELECT [Status], [ErrorMessage] FROM [BillRunRequest]').get(), { Status: 'Failed', ErrorMessage: message });
    t.equal(db.prepare("SELECT COUNT(*) FROM [Invoice] WHERE [BillDate] = '2026-11-01'").pluck().get(), 0, 'nothing billed');
  }
});
