import t from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IsolatedService } from '../../sample-platform/control/isolated-service.js';
import type { ControlClient, ControlResponse } from '../../sample-platform/control/client.js';
import { ALL_ON, BILL_DATE, isAlive, makeSnapshot, one, query, tempDir } from './helpers.js';
import type { Teardown } from './helpers.js';

const dir = tempDir(t);
const snapshot = makeSnapshot(dir, 40, 11);
let copies = 0;

/** Starts the service on a fresh copy; the process is killed at the end of the test whatever happens. */
async function startService(
  t: Teardown,
  options: { release?: 'production' | 'candidate'; faults?: string[]; db?: string } = {},
): Promise<{ service: IsolatedService; client: ControlClient; db: string }> {
  const db = options.db ?? join(dir, `copy-${++copies}.db`);
  if (!options.db) copyFileSync(snapshot, db);
  const started = await IsolatedService.start({
    db,
    socket: join(dir, `control-${copies}.sock`),
    release: options.release ?? 'production',
    faults: options.faults ?? [],
    log: join(dir, `service-${copies}.log`),
  });
  t.teardown(async () => {
    started.client.close();
    await started.service.kill();
  });
  return { ...started, db };
}

async function waitUntilDone(client: ControlClient): Promise<ControlResponse> {
  for (let i = 0; i < 600; i++) {
    const status = await client.request({ command: 'status' });
    if (status.state !== 'running') return status;
    await sleep(50);
  }
  throw new Error('bill run did not finish');
}

t.test('configure, start, status and stop drive one bill run, then the process is gone', async (t) => {
  const { service, client, db } = await startService(t);
  t.match(await client.request({ command: 'status' }), { ok: true, state: 'idle', processed: 0, total: 0 });
  t.same(await client.request({ command: 'configure', ...ALL_ON }), { ok: true });
  t.match(await client.request({ command: 'status' }), { ok: true, state: 'configured' });
  const started = await client.request({ command: 'start' });
  t.match(started, { ok: true, billRunId: Number });
  const done = await waitUntilDone(client);
  t.match(done, { ok: true, state: 'completed' });
  t.ok(Number(done.total) > 0);
  t.equal(done.processed, done.total);
  t.notOk('error' in done);

  t.match(await client.request({ command: 'start' }), { ok: false, error: /already completed/ }, 'a second start is refused');
  t.match(await client.request({ command: 'configure', ...ALL_ON }), { ok: false, error: /cannot configure/ });
  t.same(await client.request({ command: 'stop' }), { ok: true });
  const exit = await service.exited;
  t.equal(exit.code, 0, 'exits 0 after stop');
  t.notOk(isAlive(service.process.pid), 'no process left');
  t.same(query(db, 'SELECT id, status FROM bill_runs WHERE id = ?', started.billRunId), [{ id: started.billRunId, status: 'completed' }]);
});

t.test('a start while the run is going is refused', async (t) => {
  const big = makeSnapshot(dir, 3000, 12, 'big-running.db');
  const { client } = await startService(t, { db: big });
  await client.request({ command: 'configure', ...ALL_ON });
  t.match(await client.request({ command: 'start' }), { ok: true });
  t.match(await client.request({ command: 'start' }), { ok: false, error: /already running/ });
  await waitUntilDone(client);
});

t.test('malformed requests get an error reply and the service keeps answering', async (t) => {
  const { client } = await startService(t);
  t.match(await client.request('this is not json'), { ok: false, error: /not valid JSON/ });
  t.match(await client.request('[1,2]'), { ok: false, error: /JSON object/ });
  t.match(await client.request('42'), { ok: false, error: /JSON object/ });
  t.match(await client.request({ command: 'dance' }), { ok: false, error: /unknown command/ });
  t.match(await client.request({ nothing: true }), { ok: false, error: /unknown command/ });
  t.match(await client.request({ command: 'start' }), { ok: false, error: /configure/ }, 'start before configure');
  t.match(await client.request({ command: 'configure', billDate: '2026-13-01', emailInvoices: true, chargeAutoPay: true, provision: true }), {
    ok: false,
    error: /billDate/,
  });
  t.match(await client.request({ command: 'configure', billDate: BILL_DATE, emailInvoices: 'yes', chargeAutoPay: true, provision: true }), {
    ok: false,
    error: /emailInvoices/,
  });
  t.match(await client.request({ command: 'status' }), { ok: true, state: 'idle' });
});

t.test('a stop during a run ends the run as failed, keeps finished accounts, and exits', async (t) => {
  const big = makeSnapshot(dir, 4000, 13, 'big-stopped.db');
  const { service, client } = await startService(t, { db: big });
  await client.request({ command: 'configure', ...ALL_ON });
  const started = await client.request({ command: 'start' });
  t.same(await client.request({ command: 'stop' }), { ok: true });
  const exit = await service.exited;
  t.equal(exit.code, 0);
  const run = one<{ status: string; accounts_billed: number }>(big, 'SELECT status, accounts_billed FROM bill_runs WHERE id = ?', started.billRunId);
  t.equal(run.status, 'failed');
  const invoices = one<{ n: number }>(big, 'SELECT COUNT(*) AS n FROM invoices').n;
  t.equal(invoices, run.accounts_billed, 'every finished account kept its invoice');
  const due = one<{ n: number }>(
    big,
    `SELECT COUNT(DISTINCT a.id) AS n FROM accounts a JOIN user_packages up ON up.account_id = a.id
     WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= ?`,
    BILL_DATE,
  ).n;
  t.ok(due > 0, 'accounts were left unbilled');
  t.match(query(big, "SELECT level, module, action FROM event_log WHERE module = 'BillRun' AND action = 'Stop'"), [
    { level: 'warning', module: 'BillRun', action: 'Stop' },
  ]);
});

t.test('SIGTERM stops the service cleanly', async (t) => {
  const { service, client } = await startService(t);
  await client.request({ command: 'configure', ...ALL_ON });
  service.process.kill('SIGTERM');
  const exit = await service.exited;
  t.equal(exit.code, 0);
  t.notOk(isAlive(service.process.pid));
});

t.test('unknown fault switches, or faults on production, keep the service from starting', async (t) => {
  await t.rejects(startService(t, { release: 'candidate', faults: ['rounding-half-down', 'free-money'] }), /free-money.*rounding-half-down/s);
  await t.rejects(startService(t, { release: 'production', faults: ['discount-dropped'] }), /only in the candidate release/);
});

t.test('the candidate release adds its permissions for Administrator only and records its version', async (t) => {
  const permissionsOf = (db: string) =>
    query<{ role: string; permission: string }>(
      db,
      `SELECT r.name AS role, p.name AS permission FROM role_permissions rp JOIN roles r ON r.id = rp.role_id
       JOIN permissions p ON p.id = rp.permission_id WHERE p.name IN ('Invoices.Preview', 'BillRun.Schedule') ORDER BY p.name`,
    );
  const candidate = await startService(t, { release: 'candidate' });
  t.same(await candidate.client.request({ command: 'configure', ...ALL_ON }), { ok: true });
  t.same(await candidate.client.request({ command: 'configure', ...ALL_ON }), { ok: true }, 'configuring again is harmless');
  t.same(permissionsOf(candidate.db), [
    { role: 'Administrator', permission: 'BillRun.Schedule' },
    { role: 'Administrator', permission: 'Invoices.Preview' },
  ]);
  t.equal(one<{ value: string }>(candidate.db, "SELECT value FROM platform_info WHERE key = 'release'").value, '7.5.0');

  const production = await startService(t, { release: 'production' });
  await production.client.request({ command: 'configure', ...ALL_ON });
  t.same(permissionsOf(production.db), []);
  t.equal(one<{ value: string }>(production.db, "SELECT value FROM platform_info WHERE key = 'release'").value, '7.4.2');
});

t.test('configure takes the bill-run configuration items, the run honours them and records them with the run', async (t) => {
  const { client, db } = await startService(t);
  const settings = { 'invoice.servicePeriodInDescription': 'true', 'invoice.taxLabel': 'VAT' };
  t.same(await client.request({ command: 'configure', ...ALL_ON, settings }), { ok: true });
  const started = await client.request({ command: 'start' });
  t.match(await waitUntilDone(client), { state: 'completed' });
  t.same(
    query<{ name: string; value: string }>(db, 'SELECT name, value FROM bill_run_settings WHERE bill_run_id = ? ORDER BY name', started.billRunId),
    [{ name: 'invoice.servicePeriodInDescription', value: 'true' }, { name: 'invoice.taxLabel', value: 'VAT' }],
  );
  const monthly = one<{ description: string }>(db, "SELECT ii.description FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id JOIN user_packages up ON up.id = ii.user_package_id JOIN packages p ON p.id = up.package_id WHERE p.period = 'monthly' AND ii.kind = 'recurring' AND i.bill_date = ? LIMIT 1", BILL_DATE);
  t.match(monthly.description, / \(2026-11-01 to 2026-12-01\)$/, 'recurring lines name the period they bill');
  t.ok(one<{ n: number }>(db, "SELECT COUNT(*) AS n FROM invoice_items WHERE kind = 'tax' AND description LIKE 'VAT %'").n > 0, 'the tax line carries the configured label');
});

t.test('without items the run uses the defaults and records them; an unknown item or value is refused and nothing is configured', async (t) => {
  const { client, db } = await startService(t);
  t.match(await client.request({ command: 'configure', ...ALL_ON, settings: { 'invoice.taxlabel': 'VAT' } }), { ok: false, error: /unknown bill-run configuration item "invoice\.taxlabel"; this release knows invoice\.servicePeriodInDescription, invoice\.taxLabel/ });
  t.match(await client.request({ command: 'configure', ...ALL_ON, settings: { 'invoice.servicePeriodInDescription': 'yes' } }), { ok: false, error: /must be "true" or "false", not "yes"/ });
  t.match(await client.request({ command: 'status' }), { state: 'idle' }, 'still not configured');
  t.same(await client.request({ command: 'configure', ...ALL_ON }), { ok: true });
  const started = await client.request({ command: 'start' });
  t.match(await waitUntilDone(client), { state: 'completed' });
  t.same(
    query<{ name: string; value: string }>(db, 'SELECT name, value FROM bill_run_settings WHERE bill_run_id = ? ORDER BY name', started.billRunId),
    [{ name: 'invoice.servicePeriodInDescription', value: 'false' }, { name: 'invoice.taxLabel', value: 'Sales tax' }],
  );
});
