import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { query, tempDir } from './helpers.js';
import { readLedger, type MailEntry, type PaymentEntry, type ProvisioningEntry } from '../../src/sinkholes/ledger.js';

const SCRIPT = fileURLToPath(new URL('../../sample-platform/scripts/make-sample.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

t.test("production's bill run is captured: its ledger holds what its database says it sent", async (t) => {
  const hostsBefore = readFileSync('/etc/hosts', 'utf8');
  const out = join(tempDir(t), 'sample-80');
  const made = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--accounts', '80', '--seed', '5', '--bill-date', '2026-11-01', '--out', out], { cwd: REPO, encoding: 'utf8' });
  t.equal(made.status, 0, made.stderr);
  t.match(made.stdout, /production ledger: +.*production-ledger\.jsonl/);
  t.equal(readFileSync('/etc/hosts', 'utf8'), hostsBefore, "the namespace's hosts file never reached the machine's");

  const result = join(out, 'production-result.db');
  const entries = readLedger(join(out, 'production-ledger.jsonl'));
  const mail = entries.filter((e): e is MailEntry => e.kind === 'mail');
  const payments = entries.filter((e): e is PaymentEntry => e.kind === 'payment');
  const provisioning = entries.filter((e): e is ProvisioningEntry => e.kind === 'provisioning');

  const invoices = query<{ invoice_number: string; email: string }>(
    result,
    `SELECT i.invoice_number, (SELECT c.email FROM contacts c WHERE c.account_id = i.account_id ORDER BY c.is_primary DESC, c.id LIMIT 1) AS email
     FROM invoices i WHERE i.bill_date = '2026-11-01' ORDER BY i.invoice_number`,
  );
  t.ok(invoices.length > 50);
  t.same(mail.map((m) => [m.subject, m.to]).sort(), invoices.map((i) => [`Invoice ${i.invoice_number}`, [i.email]]).sort(), 'one message per invoice, to the primary contact');

  const recorded = query<{ reference: string; amount_cents: number }>(result, "SELECT reference, amount_cents FROM transactions WHERE kind = 'payment' ORDER BY reference");
  t.ok(recorded.length > 10, 'production took payments: its gateways answered');
  t.same(
    payments.filter((p) => p.approved).map((p) => [p.invoice, -(p.amountCents ?? 0)]).sort(),
    recorded.map((r) => [r.reference, r.amount_cents]).sort(),
    'every approved charge is a recorded payment',
  );
  t.ok(payments.every((p) => p.currency === 'USD' && ['api.stripe.com', 'api.authorize.net', 'api-m.paypal.com'].includes(p.destination.host)), 'charges went to the production gateway names');

  const switches = new Set(provisioning.map((p) => `${p.destination.host}:${p.destination.port}`));
  t.same([...switches].sort(), ['192.0.2.10:2208', '192.0.2.11:5060'], 'provisioning reached both switches at their own addresses');
  t.equal(query<{ n: number }>(result, "SELECT COUNT(*) AS n FROM user_packages WHERE provisioning_status = 'pending' AND status = 'active' AND next_bill_date IS NOT NULL AND account_id IN (SELECT account_id FROM invoices)")[0]?.n, 0, 'every billed pending package was provisioned');
});
