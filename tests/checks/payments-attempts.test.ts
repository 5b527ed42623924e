import t from 'tap';
import Database from 'better-sqlite3';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkPayments } from '../../src/checks/payments.js';
import { formatCents } from '../../src/checks/money.js';
import { checkedAttempts } from '../../src/sinkholes/checked-attempts.js';
import type { LedgerEntry } from '../../src/sinkholes/ledger.js';
import { SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';

const BILL_DATE = '2026-11-01';
const INV1 = 'INV-2026-11-01-ACC-000001';
const INV2 = 'INV-2026-11-01-ACC-000002';

function charge(host: string, fields: { account?: string; invoice?: string; amountCents?: number; approved: boolean }): LedgerEntry {
  return {
    kind: 'payment',
    time: '2026-11-01T00:00:01.000Z',
    destination: { host, address: '127.77.0.3', port: 443, protocol: 'tcp' },
    peer: { address: '127.0.0.1', port: 40000 },
    method: 'POST',
    path: '/charge',
    transactionId: 'rh_1',
    ...fields,
  };
}

t.test('payments: charges are matched to invoices in ledger order, with repeats, missing amounts and unknown invoices', async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const db = new Database(tiny.path);
  db.exec(`
    UPDATE accounts SET auto_pay = 1;
    INSERT INTO payment_methods (account_id, kind, processor) VALUES (2, 'echeck', 'authnet');
    INSERT INTO settings (key, value) VALUES ('gateway.stripe.url', 'https://api.stripe.com/v1'), ('gateway.authnet.url', 'https://api.authorize.net/xml');
    INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at) VALUES
      (2, '${INV2}', '${BILL_DATE}', 2000, 0, 0, 2000, '${BILL_DATE}'),
      (1, '${INV1}', '${BILL_DATE}', 1000, 0, 0, 1000, '${BILL_DATE}');
  `);
  db.close();
  const engine = SqliteEngine.open(tiny.path, { readonly: true });
  t.teardown(() => engine.close());

  const ledger = [
    charge('api.stripe.com', { account: 'ACC-000002', invoice: INV2, amountCents: 2000, approved: true }),
    charge('api.stripe.com', { account: 'ACC-000001', invoice: INV1, amountCents: 999, approved: true }),
    charge('api.authorize.net', { account: 'ACC-000002', invoice: INV2, amountCents: 2001, approved: false }),
    charge('api.stripe.com', { account: 'ACC-000001', invoice: INV1, approved: true }),
    charge('api.stripe.com', { account: 'ACC-000009', invoice: 'INV-2026-11-01-ACC-000009', amountCents: 5, approved: false }),
    charge('api.authorize.net', { amountCents: 7, approved: false }),
  ];
  const result = await checkPayments(engine, checkedAttempts(ledger).payments, BILL_DATE, true, profile);
  t.equal(result.status, 'failed');
  t.equal(result.summary, 'no approved payment reached authnet; 3 account(s) charged an amount that is not their invoice total');
  t.same(result.affectedAccounts, ['ACC-000001', 'ACC-000002', 'ACC-000009'], 'accounts in the order their wrong charges were found');
  t.equal(result.affectedCount, 3);
  t.same(result.evidence, [
    { processor: 'authnet', host: 'api.authorize.net', 'invoices to charge': 1, attempts: 2, approved: 0 },
    { processor: 'stripe', host: 'api.stripe.com', 'invoices to charge': 1, attempts: 4, approved: 3 },
  ]);
  t.same(result.sections?.[0]?.rows, [
    // Invoices in invoice-number order; each invoice's charges in ledger order.
    { account: 'ACC-000001', invoice: INV1, invoiced: formatCents(1000), charged: formatCents(999) },
    { account: 'ACC-000001', invoice: INV1, invoiced: formatCents(1000), charged: formatCents(null) },
    { account: 'ACC-000002', invoice: INV2, invoiced: formatCents(2000), charged: formatCents(2001) },
    // Then charges naming no invoice of this run, in ledger order.
    { account: 'ACC-000009', invoice: 'INV-2026-11-01-ACC-000009', invoiced: 'no such invoice in this bill run', charged: formatCents(5) },
    { account: '—', invoice: '—', invoiced: 'no such invoice in this bill run', charged: formatCents(7) },
  ]);

  const right = await checkPayments(engine, checkedAttempts([ledger[0]!, charge('api.stripe.com', { account: 'ACC-000001', invoice: INV1, amountCents: 1000, approved: true }), { ...ledger[2]!, amountCents: 2000, approved: true } as LedgerEntry]).payments, BILL_DATE, true, profile);
  t.equal(right.status, 'passed', right.summary);
  t.equal(right.summary, '2 processor(s) each received approved charges (3 charge(s) in all); all 3 match their invoice totals', 'a repeated charge of one invoice is matched, not lost');

  const off = await checkPayments(engine, checkedAttempts(ledger).payments, BILL_DATE, false, profile);
  t.equal(off.summary, 'auto-pay charging is off in the plan, yet 6 charge(s) reached a gateway sinkhole');
});
