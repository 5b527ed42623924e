import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SqliteEngine } from '../../src/engine/sqlite.js';
import { checkMailAmounts, checkMailRecorded, checkMailSender, checkPaymentsRecorded, checkProvisioningRecorded } from '../../src/checks/ledger-consistency.js';
import { MailFold } from '../../src/checks/outbound-mail-fold.js';
import { contactsOf, maskedContactsIn, maskedContactsPath, recordMaskedContacts, type MaskedContacts } from '../../src/checks/masked-contacts.js';
import type { CheckResult } from '../../src/checks/types.js';
import { captureScenarioBaseline } from '../../src/checks/baseline.js';
import type { Plan } from '../../src/plan/types.js';
import { OTHER_SENDERS, OutboundKeys } from '../../src/checks/outbound-record.js';
import { Profile } from '../../src/platform/profile.js';
import { maskedRecipients } from '../../src/checks/outbound-mail.js';
import { sideNaming } from '../../src/checks/outbound-naming.js';
import { OutboundRecord } from '../../src/checks/outbound-record.js';
import { outboundFromDatabase } from '../../src/checks/outbound-recorded.js';
import { checkOutbound } from '../../src/checks/outbound.js';
import { checkOutboundPayments } from '../../src/checks/outbound-payments.js';
import { checkOutboundProvisioning } from '../../src/checks/outbound-provisioning.js';
import type { ChargeEligibilityRow } from '../../src/platform/rows.js';
import { SAMPLE_ADAPTER, SAMPLE_PROFILE as profile } from '../helpers/sample-profile.js';
import type { LedgerEntry, MailEntry } from '../../src/sinkholes/ledger.js';

const BILL_DATE = '2026-11-01';
const INV1 = 'INV-2026-11-01-ACC-000001';
const INV2 = 'INV-2026-11-01-ACC-000002';
const base = { time: '2026-11-01T00:00:01.000Z', peer: { address: '127.0.0.1', port: 40000 } };

/** The tiny database billed: both accounts invoiced, ACC-000001 paid, one package change pending before the run. */
function billedDatabase(t: Test): string {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const db = new Database(tiny.path);
  db.exec(`
    UPDATE accounts SET auto_pay = 1 WHERE id = 1;
    INSERT INTO payment_methods (account_id, kind, processor, card_last4, card_expiry) VALUES (2, 'card', 'stripe', '0001', '2026-09');
    UPDATE accounts SET auto_pay = 1 WHERE id = 2;
    INSERT INTO settings (key, value) VALUES ('gateway.stripe.url', 'https://api.stripe.com/v1/charges'), ('provisioning.hosts', '192.0.2.10:2208,192.0.2.11:5060');
    INSERT INTO packages (id, code, name, period, price_cents, provisioning_code) VALUES (1, 'VOICE-300', 'Voice 300', 'monthly', 1000, 'V300'), (2, 'INSTALL', 'Installation', 'once', 5000, NULL);
    INSERT INTO user_packages (id, account_id, package_id, status, start_date, next_bill_date, provisioning_status) VALUES
      (1, 1, 1, 'active', '2026-10-01', '${BILL_DATE}', 'pending'),
      (2, 1, 2, 'active', '2026-10-01', '${BILL_DATE}', 'pending'),
      (3, 2, 1, 'active', '2026-01-01', '${BILL_DATE}', 'done');
    INSERT INTO invoices (account_id, invoice_number, bill_date, subtotal_cents, discount_cents, tax_cents, total_cents, created_at) VALUES
      (1, '${INV1}', '${BILL_DATE}', 1000, 0, 0, 1000, '${BILL_DATE}'),
      (2, '${INV2}', '${BILL_DATE}', 2000, 0, 0, 2000, '${BILL_DATE}');
  `);
  db.close();
  return tiny.path;
}

function run(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

function charge(account: string, amountCents: number, approved = true): LedgerEntry {
  return {
    ...base,
    kind: 'payment',
    account,
    invoice: `INV-2026-11-01-${account}`,
    destination: { host: 'api.stripe.com', address: '127.77.0.3', port: 443, protocol: 'tcp' },
    method: 'POST',
    path: '/v1/charges',
    amountCents,
    currency: 'USD',
    approved,
    transactionId: 'rh_1',
  };
}

function mail(account: string): MailEntry {
  return { ...base, kind: 'mail', account, destination: { host: 'mail', address: '127.77.0.2', port: 25, protocol: 'tcp' }, from: 'b@x', to: ['a@b.example'], subject: `Invoice INV-2026-11-01-${account}`, sizeBytes: 1 };
}

function provision(code: string): LedgerEntry {
  const bytes = Buffer.from(`PROVISION account=ACC-000001 package=${code} action=activate\n`, 'latin1');
  return { ...base, kind: 'provisioning', account: 'ACC-000001', destination: { host: '192.0.2.10', address: '192.0.2.10', port: 2208, protocol: 'tcp' }, service: 'switch', firstBytes: { length: bytes.length, hex: bytes.toString('hex'), text: '' } };
}

async function recordOf(engine: SqliteEngine, entries: LedgerEntry[]): Promise<OutboundRecord> {
  const record = new OutboundRecord(await sideNaming(engine, profile));
  entries.forEach((e) => record.add(e));
  return record;
}

t.test('every approved charge is a recorded payment of its amount, and every recorded payment was approved', async (t) => {
  const path = billedDatabase(t);
  run(path, `INSERT INTO transactions (account_id, kind, amount_cents, reference, created_at) VALUES (1, 'payment', -1000, '${INV1}', '${BILL_DATE}')`);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const fine = await checkPaymentsRecorded(engine, await recordOf(engine, [charge('ACC-000001', 1000), charge('ACC-000002', 2000, false)]), BILL_DATE, profile);
  t.equal(fine.status, 'passed', fine.summary);

  const unbooked = await checkPaymentsRecorded(engine, await recordOf(engine, [charge('ACC-000001', 1000), charge('ACC-000002', 2000)]), BILL_DATE, profile);
  t.equal(unbooked.status, 'failed');
  t.match(unbooked.summary, /approved, not recorded as a payment/);
  t.same(unbooked.affectedAccounts, ['ACC-000002']);

  const unapproved = await checkPaymentsRecorded(engine, await recordOf(engine, [charge('ACC-000001', 1000, false)]), BILL_DATE, profile);
  t.match(unapproved.summary, /payment recorded without an approval/);
  t.same(unapproved.affectedAccounts, ['ACC-000001']);

  const other = await checkPaymentsRecorded(engine, await recordOf(engine, [charge('ACC-000001', 999)]), BILL_DATE, profile);
  t.match(other.summary, /recorded amount differs/);
});

t.test('every invoice marked mailed has a message; a logged send failure means not marked mailed', async (t) => {
  const path = billedDatabase(t);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const fine = await checkMailRecorded(engine, await recordOf(engine, [mail('ACC-000001'), mail('ACC-000002')]), BILL_DATE, true, profile);
  t.equal(fine.status, 'passed', fine.summary);
  const silent = await checkMailRecorded(engine, await recordOf(engine, [mail('ACC-000001')]), BILL_DATE, true, profile);
  t.equal(silent.status, 'failed');
  t.match(silent.summary, /marked mailed, no message/);
  t.same(silent.affectedAccounts, ['ACC-000002']);
  t.equal((await checkMailRecorded(engine, await recordOf(engine, []), BILL_DATE, false, profile)).status, 'skipped');

  run(path, `INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES ('2026-12-01T00:00:00Z', 'warning', 'Email', 'Send', 'failed', 2, '${INV2}: connection refused')`);
  const logged = await checkMailRecorded(engine, await recordOf(engine, [mail('ACC-000001')]), BILL_DATE, true, profile);
  t.equal(logged.status, 'passed', 'a failure the platform logged is not a silent one');
});

t.test('every message naming an invoice states its total: another amount, none or not a number fails, in ledger order or folded as verify reads it', async (t) => {
  const path = billedDatabase(t);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const stating = (account: string, amountStated: string): MailEntry => ({ ...mail(account), amountStated });
  const folded = async (entries: LedgerEntry[]): Promise<OutboundRecord> => {
    const record = new OutboundRecord(await sideNaming(engine, profile), new OutboundKeys(), { kind: 'folded', fold: new MailFold(true), side: 'rehearsal' });
    entries.forEach((e) => record.add(e));
    return record;
  };
  for (const [keeping, read] of [['kept', (e: LedgerEntry[]) => recordOf(engine, e)], ['folded', folded]] as const) {
    const check = async (entries: LedgerEntry[]) => checkMailAmounts(engine, await read(entries), BILL_DATE, true, profile);
    const fine = await check([stating('ACC-000001', '10.00'), stating('ACC-000002', '20')]);
    t.equal(fine.status, 'passed', `${keeping}: ${fine.summary}`);
    t.match(fine.summary, /^2 mailed invoice/);

    const lower = await check([stating('ACC-000001', '10.00'), stating('ACC-000002', '18.35')]);
    t.equal(lower.status, 'failed', `${keeping}: a mail stating less than its invoice`);
    t.match(lower.summary, /1 account\(s\) differ: 1 amount in the mail differs from the invoice/);
    t.same(lower.affectedAccounts, ['ACC-000002']);
    t.match(lower.sections?.[1]?.rows[0], { invoice: INV2, 'invoice total': '20.00', 'mail states': '18.35' });

    const none = await check([mail('ACC-000001'), stating('ACC-000002', '20.00')]);
    t.match(none.summary, /1 mailed without the amount due/, `${keeping}: a mail stating no amount`);
    t.same(none.affectedAccounts, ['ACC-000001']);

    const words = await check([stating('ACC-000001', 'ten dollars'), stating('ACC-000002', '20.00')]);
    t.match(words.summary, /1 the amount the mail states is not a number/, `${keeping}: an amount that is not one`);

    const twice = await check([stating('ACC-000001', '10.00'), stating('ACC-000001', '11.00'), stating('ACC-000002', '20.00')]);
    t.match(twice.summary, /1 amount in the mail differs from the invoice/, `${keeping}: a second message stating another amount`);
    t.match(twice.sections?.[1]?.rows[0], { 'mail states': '10.00 and other amounts' });

    const oneWithout = await check([stating('ACC-000001', '10.00'), mail('ACC-000001'), stating('ACC-000002', '20.00')]);
    t.match(oneWithout.summary, /1 mailed without the amount due/, `${keeping}: one of two messages without an amount`);
  }
  const unmailed = await checkMailAmounts(engine, await recordOf(engine, [stating('ACC-000001', '10.00')]), BILL_DATE, true, profile);
  t.equal(unmailed.status, 'passed', 'an invoice no message names is left to ledger-mail-recorded');
  t.equal((await checkMailAmounts(engine, await recordOf(engine, []), BILL_DATE, false, profile)).status, 'skipped', 'mail off in the plan');
  const withoutPattern = new Profile({ ...SAMPLE_ADAPTER, outbound: { accountPatterns: SAMPLE_ADAPTER.outbound.accountPatterns } });
  const unread = await checkMailAmounts(engine, await recordOf(engine, [stating('ACC-000001', '1.00')]), BILL_DATE, true, withoutPattern);
  t.equal(unread.status, 'skipped', 'an adapter without amountPattern: not configured, never passed');
  t.match(unread.summary, /declares no `outbound.amountPattern`/);
});

t.test('every message states the billing currency with its amount, where the adapter reads it: another currency, two or none fails', async (t) => {
  const path = billedDatabase(t);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const stating = (account: string, amountStated: string, currencyStated?: string): MailEntry => ({ ...mail(account), amountStated, ...(currencyStated === undefined ? {} : { currencyStated }) });
  const check = async (entries: LedgerEntry[], adapter = profile) => checkMailAmounts(engine, await recordOf(engine, entries), BILL_DATE, true, adapter);

  const unset = await check([stating('ACC-000001', '10.00', 'EUR'), stating('ACC-000002', '20.00', 'USD')]);
  t.equal(unset.status, 'passed', 'no billing currency in the copy: amounts alone are judged');
  t.match(unset.summary, /the currency each states is not judged: production names no billing currency/, 'and the summary says so');

  run(path, "INSERT INTO settings (key, value) VALUES ('billing.currency', 'usd')");
  const fine = await check([stating('ACC-000001', '10.00', 'USD'), stating('ACC-000002', '20.00', 'usd')]);
  t.equal(fine.status, 'passed', fine.summary);
  t.match(fine.summary, /and the billing currency, USD/, 'codes compared without regard to case');

  const euros = await check([stating('ACC-000001', '10.00', 'EUR'), stating('ACC-000002', '20.00', 'USD')]);
  t.equal(euros.status, 'failed', 'the right amount in another currency');
  t.match(euros.summary, /1 currency in the mail differs from the billing currency/);
  t.same(euros.affectedAccounts, ['ACC-000001']);
  t.match(euros.sections?.[1]?.rows[0], { invoice: INV1, 'billing currency': 'USD', 'mail states': 'EUR' });

  const mixed = await check([stating('ACC-000001', '10.00', 'USD'), stating('ACC-000001', '10.00', 'EUR'), stating('ACC-000002', '20.00', 'USD')]);
  t.match(mixed.summary, /1 currency in the mail differs from the billing currency/, 'a second message in another currency');
  t.match(mixed.sections?.[1]?.rows[0], { 'mail states': 'USD and other currencies' });

  const bare = await check([stating('ACC-000001', '10.00'), stating('ACC-000002', '20.00', 'USD')]);
  t.match(bare.summary, /1 mailed without the currency/, 'an optional currency group that matched nothing');

  const wrongBoth = await check([stating('ACC-000001', '9.00', 'EUR'), stating('ACC-000002', '20.00', 'USD')]);
  t.match(wrongBoth.summary, /amount in the mail differs from the invoice/, 'amount and currency both wrong: both named');
  t.match(wrongBoth.summary, /currency in the mail differs from the billing currency/);

  const migratedPath = billedDatabase(t);
  run(migratedPath, "INSERT INTO settings (key, value) VALUES ('billing.currency', 'EUR')");
  const migrated = SqliteEngine.open(migratedPath, { readonly: true });
  t.teardown(() => migrated.close());
  const euroCopy = await checkMailAmounts(migrated, await recordOf(migrated, [stating('ACC-000001', '10.00', 'EUR'), stating('ACC-000002', '20.00', 'EUR')]), BILL_DATE, true, profile, engine);
  t.equal(euroCopy.status, 'failed', "a release that rewrote the copy's currency to EUR and mails EUR: judged by production's USD");
  t.match(euroCopy.summary, /2 currency in the mail differs from the billing currency/);

  const amountOnly = new Profile({ ...SAMPLE_ADAPTER, outbound: { ...SAMPLE_ADAPTER.outbound, amountPattern: 'Amount due: (-?[0-9][0-9,]*\\.[0-9]{2})' } });
  const unread = await check([stating('ACC-000001', '10.00', 'EUR'), stating('ACC-000002', '20.00', 'EUR')], amountOnly);
  t.equal(unread.status, 'passed', 'a pattern without a currency group: the currency is not judged');
});

t.test("every message comes from the sender the copy's settings name; another sender, or none in the settings, fails", async (t) => {
  const path = billedDatabase(t);
  run(path, "UPDATE settings SET value = 'Billing@Rehearsal.invalid' WHERE key = 'smtp.from'");
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const from = (account: string, sender: string): MailEntry => ({ ...mail(account), from: sender });
  const fine = await checkMailSender(engine, await recordOf(engine, [from('ACC-000001', 'billing@rehearsal.invalid'), from('ACC-000002', 'BILLING@rehearsal.invalid')]), true, profile);
  t.equal(fine.status, 'passed', fine.summary);
  t.match(fine.summary, /^2 message\(s\), all from billing@rehearsal.invalid/);

  const fallback = await checkMailSender(engine, await recordOf(engine, [from('ACC-000001', 'billing@rehearsal.invalid'), from('ACC-000002', 'noreply@vendor.invalid'), from('ACC-000002', 'noreply@vendor.invalid')]), true, profile);
  t.equal(fallback.status, 'failed');
  t.equal(fallback.summary, "2 of 3 message(s) came from noreply@vendor.invalid, not from billing@rehearsal.invalid, the sender the copy's settings name");
  t.same(fallback.affectedAccounts, ['ACC-000002']);

  const perMessage = [
    from('ACC-000001', 'billing@rehearsal.invalid'),
    from('ACC-000002', 'noreply@vendor.invalid'),
    from('ACC-000003', 'noreply@vendor.invalid'),
    ...Array.from({ length: 150 }, (_, i) => from(`ACC-${String(i).padStart(6, '0')}`, `bounce+${i}@rehearsal.invalid`)),
  ];
  const many = await checkMailSender(engine, await recordOf(engine, perMessage), true, profile);
  t.match(many.summary, /^152 of 153 message\(s\) came from .* and more, not from/, 'one sender per message: counted, without one row each');
  t.equal(many.evidence?.length, 50, "evidence cut like every check's");
  t.match(many.evidence?.[0], { sender: 'billing@rehearsal.invalid', 'the settings name it': 'yes' }, 'the configured sender first');
  t.match(many.evidence?.[1], { sender: OTHER_SENDERS, messages: 52 }, 'then by messages: the senders past the hundredth, together');
  t.match(many.evidence?.[2], { sender: 'noreply@vendor.invalid', messages: 2 });
  t.equal(many.affectedAccounts?.length, 50, 'accounts listed up to the usual cap');

  t.equal((await checkMailSender(engine, await recordOf(engine, []), false, profile)).status, 'skipped', 'mail off in the plan');
  const withoutConcept = new Profile({ ...SAMPLE_ADAPTER, queries: SAMPLE_ADAPTER.queries.filter((q) => q.concept !== 'mailSender') });
  const unconfigured = await checkMailSender(engine, await recordOf(engine, [from('ACC-000001', 'x@y.invalid')]), true, withoutConcept);
  t.equal(unconfigured.status, 'skipped', 'an adapter without mailSender: not configured, never passed');

  run(path, "DELETE FROM settings WHERE key = 'smtp.from'");
  const unset = await checkMailSender(engine, await recordOf(engine, [from('ACC-000001', 'billing@rehearsal.invalid')]), true, profile);
  t.equal(unset.status, 'failed', 'a copy whose settings name no sender');
  t.match(unset.summary, /settings name no mail sender/);
  const unsetBefore = await checkMailSender(engine, await recordOf(engine, [from('ACC-000001', 'billing@rehearsal.invalid')]), true, profile, '');
  t.equal(unsetBefore.status, 'failed', 'settings that named no sender before the bill run');
  t.match(unsetBefore.summary, /the copy's settings named before the bill run no mail sender/);
});

t.test('a release that rewrites the sender setting and mails from the new one is judged by the sender named before the bill run', async (t) => {
  const path = billedDatabase(t);
  run(path, "UPDATE settings SET value = 'billing@rehearsal.invalid' WHERE key = 'smtp.from'");
  const sanitized = SqliteEngine.open(path, { readonly: true });
  const before = (await captureScenarioBaseline(sanitized, { billRun: { date: BILL_DATE }, scenarios: [] } as unknown as Plan, profile)).mailSender;
  sanitized.close();
  t.equal(before, 'billing@rehearsal.invalid', 'the baseline keeps the sender the settings name before the bill run');
  // The candidate's migration resets the setting to its built-in sender, and the bill run mails from it.
  run(path, "UPDATE settings SET value = 'noreply@billing-platform.invalid' WHERE key = 'smtp.from'");
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const reset = await recordOf(engine, [{ ...mail('ACC-000001'), from: 'noreply@billing-platform.invalid' }, { ...mail('ACC-000002'), from: 'noreply@billing-platform.invalid' }]);
  const judged = await checkMailSender(engine, reset, true, profile, before);
  t.equal(judged.status, 'failed');
  t.equal(judged.summary, "2 of 2 message(s) came from noreply@billing-platform.invalid, not from billing@rehearsal.invalid, the sender the copy's settings named before the bill run (the bill run changed the setting to noreply@billing-platform.invalid)");
  t.equal((await checkMailSender(engine, reset, true, profile)).status, 'passed', 'judged by the billed copy alone it would pass: the hole the baseline closes');
  const kept = await recordOf(engine, [{ ...mail('ACC-000001'), from: 'billing@rehearsal.invalid' }]);
  const mailedRight = await checkMailSender(engine, kept, true, profile, before);
  t.equal(mailedRight.status, 'failed', 'mail from the sender named before the bill run, but the setting changed: the next bill run would mail from the new one');
  t.equal(mailedRight.summary, "1 message(s), all from billing@rehearsal.invalid, the sender the copy's settings named before the bill run, but the bill run changed the setting to noreply@billing-platform.invalid: the next bill run would mail from that");
  t.equal((await checkMailSender(engine, kept, true, profile, 'noreply@billing-platform.invalid')).status, 'failed', 'the sender named before is the one judged, not the one named now');
});

t.test('mail from the sender named before the bill run, with the setting left alone, passes', async (t) => {
  const path = billedDatabase(t);
  run(path, "UPDATE settings SET value = 'billing@rehearsal.invalid' WHERE key = 'smtp.from'");
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const judged = await checkMailSender(engine, await recordOf(engine, [{ ...mail('ACC-000001'), from: 'billing@rehearsal.invalid' }]), true, profile, 'billing@rehearsal.invalid');
  t.equal(judged.status, 'passed');
  t.equal(judged.summary, "1 message(s), all from billing@rehearsal.invalid, the sender the copy's settings named before the bill run");
});

t.test('every package change marked done reached a switch', async (t) => {
  const path = billedDatabase(t);
  const before = SqliteEngine.open(path, { readonly: true });
  const pending = await profile.query(before, 'packagesToProvision', { billDate: BILL_DATE });
  before.close();
  t.same(pending.map((p) => p.provisioning_code), ['V300', 'INSTALL'], 'the provisioning code, else the package code');
  run(path, "UPDATE user_packages SET provisioning_status = 'done'");
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  t.equal((await checkProvisioningRecorded(engine, await recordOf(engine, [provision('V300'), provision('INSTALL')]), pending, profile)).status, 'passed');
  const first = await checkProvisioningRecorded(engine, await recordOf(engine, [provision('V300')]), pending, profile);
  t.equal(first.status, 'failed');
  t.match(first.summary, /marked done, no request reached a switch/);
  t.same(first.affectedAccounts, ['ACC-000001']);
  t.equal((await checkProvisioningRecorded(engine, await recordOf(engine, []), undefined, profile)).status, 'skipped');
});

t.test('eligibility: auto-pay off, expired card and no payment method are named', async (t) => {
  const path = billedDatabase(t);
  run(path, 'UPDATE accounts SET auto_pay = 0 WHERE id = 1');
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const rows = await profile.query(engine, 'chargeEligibility', { billDate: BILL_DATE, billMonth: BILL_DATE.slice(0, 7) });
  t.same(rows.map((r) => [r.account_number, r.ineligible]), [['ACC-000001', 'auto-pay is off'], ['ACC-000002', 'card expired']]);
});

t.test("production's recipients map to what masking made of the same contact rows", async (t) => {
  const path = billedDatabase(t);
  const copy = join(t.testdir(), 'rehearsal.db');
  copyFileSync(path, copy);
  run(copy, "UPDATE contacts SET email = 'masked-' || id || '@rehearsal.invalid'");
  const production = SqliteEngine.open(path, { readonly: true });
  const rehearsal = SqliteEngine.open(copy, { readonly: true });
  t.teardown(() => {
    production.close();
    rehearsal.close();
  });
  const sent = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] });
  sent.add({ ...mail('ACC-000001'), to: ['ADA@analytical.example'] });
  const masked = await maskedRecipients(contactsOf(rehearsal, profile), production, sent, profile);
  t.same([...(masked.get('ada@analytical.example') ?? [])], ['masked-1@rehearsal.invalid']);
  t.equal(masked.get('nobody@analytical.example'), undefined, 'an address production did not mail has no masked form');
});

t.test("without production's ledger, what production sent is what its database recorded", async (t) => {
  const path = billedDatabase(t);
  run(path, `INSERT INTO transactions (account_id, kind, amount_cents, reference, created_at) VALUES (1, 'payment', -1000, '${INV1}', '${BILL_DATE}');
    INSERT INTO settings (key, value) VALUES ('billing.currency', 'USD');
    INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES ('2026-12-01T00:00:00Z', 'warning', 'Email', 'Send', 'failed', 2, '${INV2}: connection refused');`);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const production = await outboundFromDatabase(engine, BILL_DATE, profile);
  t.equal(production.source, 'database');
  t.same(production.chargedInvoices().map((i) => [i, production.chargesOf(i)]), [[INV1, [{ account: 'ACC-000001', invoice: INV1, processor: 'stripe', amountCents: 1000, currency: 'USD', approved: true }]]]);
  t.same(production.mailAccounts().map((a) => [a, production.mailOf(a)]), [['ACC-000001', [{ to: ['ada@analytical.example'], invoice: INV1 }]]], 'the invoice whose sending failed is not mailed');

  const none = async function* (): AsyncIterable<ChargeEligibilityRow> {};
  const rehearsal = await recordOf(engine, [charge('ACC-000001', 1000), charge('ACC-000002', 2000, false)]);
  t.equal((await checkOutboundPayments(rehearsal, production, none(), true)).status, 'passed', 'a declined attempt is not a payment the database would show');
  const approvedExtra = await checkOutboundPayments(await recordOf(engine, [charge('ACC-000001', 1000), charge('ACC-000002', 2000)]), production, none(), true);
  t.match(approvedExtra.summary, /charged, production did not/);
  t.same(approvedExtra.affectedAccounts, ['ACC-000002']);
  t.equal(checkOutboundProvisioning(rehearsal, production, true).status, 'skipped', 'a database does not record the requests it sent');
});

t.test('no rehearsal ledger to read fails closed: nothing the bill run sent could be compared', async (t) => {
  const path = billedDatabase(t);
  const engine = SqliteEngine.open(path, { readonly: true });
  t.teardown(() => engine.close());
  const results = await checkOutbound({
    rehearsal: engine,
    production: engine,
    maskedContacts: contactsOf(engine, profile),
    rehearsalLedger: join(t.testdir(), 'no-such-ledger.jsonl'),
    since: undefined,
    productionLedger: undefined,
    billDate: BILL_DATE,
    configuration: { emailInvoices: true, chargeAutoPay: true, provision: true },
    packagesToProvision: [],
    profile,
  });
  t.same(results.map((r) => [r.id, r.status]), [['outbound', 'failed']]);
});

t.test('a bill run that writes an address over a contact and mails it there fails outbound-mail, with no copy from before the bill run (as on RDS)', async (t) => {
  const productionPath = billedDatabase(t);
  const dir = t.testdir({});
  const copyPath = join(dir, 'rehearsal.db');
  copyFileSync(productionPath, copyPath);
  run(copyPath, "UPDATE contacts SET email = 'masked-' || id || '@rehearsal.invalid'");
  const production = SqliteEngine.open(productionPath, { readonly: true });
  t.teardown(() => production.close());
  const recorded = maskedContactsPath(dir);
  const sanitized = SqliteEngine.open(copyPath, { readonly: true });
  await recordMaskedContacts(sanitized, profile, recorded);
  await sanitized.close();
  // The candidate's bill run: account 1's contact now holds another address, and the invoice goes there.
  run(copyPath, "UPDATE contacts SET email = 'someone-else@elsewhere.example' WHERE id = 1");
  const billed = SqliteEngine.open(copyPath, { readonly: true });
  t.teardown(() => billed.close());
  const to = (account: string, address: string): MailEntry => ({ ...mail(account), to: [address] });
  const productionLedger = join(dir, 'production-ledger.jsonl');
  writeFileSync(productionLedger, [to('ACC-000001', 'ada@analytical.example'), to('ACC-000002', 'alan@bletchley.example')].map((e) => JSON.stringify(e)).join('\n'));
  const ledger = (entries: readonly MailEntry[]): string => {
    const file = join(dir, `ledger-${entries.map((e) => e.to.join()).join('-').replace(/\W/g, '')}.jsonl`);
    writeFileSync(file, entries.map((e) => JSON.stringify(e)).join('\n'));
    return file;
  };
  const mailCheck = async (rehearsalLedger: string, maskedContacts: MaskedContacts): Promise<CheckResult | undefined> =>
    (
      await checkOutbound({
        rehearsal: billed,
        production,
        maskedContacts,
        rehearsalLedger,
        since: undefined,
        productionLedger,
        billDate: BILL_DATE,
        configuration: { emailInvoices: true, chargeAutoPay: false, provision: false },
        packagesToProvision: [],
        profile,
      })
    ).find((r) => r.id === 'outbound-mail');
  const overwritten = ledger([to('ACC-000001', 'someone-else@elsewhere.example'), to('ACC-000002', 'masked-2@rehearsal.invalid')]);
  const caught = await mailCheck(overwritten, maskedContactsIn(recorded));
  t.equal(caught?.status, 'failed', 'the recorded masked form is what production\'s recipient must become');
  t.match(caught?.summary, /recipient differs/);
  t.same(caught?.affectedAccounts, ['ACC-000001']);
  t.equal((await mailCheck(overwritten, contactsOf(billed, profile)))?.status, 'passed', 'read from the billed copy, the overwritten address would pass: the hole the record closes');
  const faithful = ledger([to('ACC-000001', 'masked-1@rehearsal.invalid'), to('ACC-000002', 'masked-2@rehearsal.invalid')]);
  t.equal((await mailCheck(faithful, maskedContactsIn(recorded)))?.status, 'passed', 'mail to the masked forms sanitize wrote passes');
});
