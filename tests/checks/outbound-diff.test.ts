import t from 'tap';
import { checkOutboundMail } from '../../src/checks/outbound-mail.js';
import { checkOutboundPayments } from '../../src/checks/outbound-payments.js';
import { checkOutboundProvisioning } from '../../src/checks/outbound-provisioning.js';
import { OutboundKeys, OutboundRecord, requestFields, subjectClass, type SideNaming } from '../../src/checks/outbound-record.js';
import type { ChargeEligibilityRow } from '../../src/platform/rows.js';
import type { LedgerEntry } from '../../src/sinkholes/ledger.js';
import { Attribution } from '../../src/sinkholes/attribution.js';
import { idempotencyKeyDigest } from '../../src/sinkholes/payment-request.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

const ATTRIBUTION = new Attribution(SAMPLE_ADAPTER.outbound);

const PRODUCTION: SideNaming = { processorByHost: new Map([['api.stripe.com', 'stripe']]), switchTargets: ['192.0.2.10:2208', '192.0.2.11:5060'], attribution: ATTRIBUTION };
const REHEARSAL: SideNaming = {
  processorByHost: new Map([['api.stripe.com', 'stripe']]),
  switchTargets: ['switch.sinkhole.rehearsal.invalid:2208', 'switch.sinkhole.rehearsal.invalid:5060'],
  attribution: ATTRIBUTION,
};
const INV1 = 'INV-2026-11-01-ACC-000001';
const INV2 = 'INV-2026-11-01-ACC-000002';
const base = { time: '2026-11-01T00:00:01.000Z', peer: { address: '127.0.0.1', port: 40000 } };

function mail(account: string, to: string, subject = `Invoice INV-2026-11-01-${account}`): LedgerEntry {
  return { ...base, kind: 'mail', account, destination: { host: 'mail', address: '127.77.0.2', port: 25, protocol: 'tcp' }, from: 'billing@x', to: [to], subject, sizeBytes: 400 };
}

function charge(account: string, fields: { amountCents?: number; currency?: string; host?: string; approved?: boolean; last4?: string; path?: string; form?: string; headers?: string; key?: string; invoice?: string } = {}): LedgerEntry {
  return {
    ...base,
    kind: 'payment',
    account,
    invoice: fields.invoice ?? `INV-2026-11-01-${account}`,
    destination: { host: fields.host ?? 'api.stripe.com', address: '127.77.0.3', port: 443, protocol: 'tcp' },
    method: 'POST',
    path: fields.path ?? '/v1/charges',
    amountCents: fields.amountCents ?? 1000,
    currency: fields.currency ?? 'USD',
    ...(fields.last4 !== undefined ? { last4: fields.last4 } : {}),
    ...(fields.form !== undefined ? { form: fields.form } : {}),
    ...(fields.headers !== undefined ? { headers: fields.headers } : {}),
    ...(fields.key !== undefined ? { idempotencyKey: idempotencyKeyDigest(fields.key) } : {}),
    approved: fields.approved ?? true,
    transactionId: 'rh_1',
  };
}

function provision(account: string, host: string, port: number, line: string): LedgerEntry {
  const bytes = Buffer.from(`${line}\n`, 'latin1');
  return {
    ...base,
    kind: 'provisioning',
    account,
    destination: { host, address: host, port, protocol: 'tcp' },
    service: 'switch',
    firstBytes: { length: bytes.length, hex: bytes.toString('hex'), text: line },
  };
}

/** Records built apart pair by strings; `keys` shared, as verify builds them, they pair by id and equal charges take the column fast path. */
function record(naming: SideNaming, entries: LedgerEntry[], keys?: OutboundKeys): OutboundRecord {
  const r = new OutboundRecord(naming, keys);
  entries.forEach((e) => r.add(e));
  return r;
}

async function* rows(list: ChargeEligibilityRow[]): AsyncIterable<ChargeEligibilityRow> {
  yield* list;
}

t.test('subject classes and request fields leave out what differs per account', async (t) => {
  t.equal(subjectClass(`Invoice ${INV1}`, ATTRIBUTION), 'Invoice <invoice>');
  t.equal(subjectClass('Reminder: 3 invoices overdue', ATTRIBUTION), 'Reminder: # invoices overdue');
  t.same(requestFields('PROVISION account=ACC-000001 package=INSTALL action=activate\n'), { request: 'PROVISION', package: 'INSTALL', action: 'activate' });
  t.same(requestFields('<provision user="U000001" service=\'FIELD-INSTALL\' action="activate"/>\n'), { user: 'U000001', service: 'FIELD-INSTALL', action: 'activate' }, 'quoted values, as XML attributes carry them');
});

t.test('mail: the masked form of production recipient, the same count and subject class', async (t) => {
  const masked = new Map([
    ['ada@analytical.example', new Set(['m1@rehearsal.invalid'])],
    ['alan@bletchley.example', new Set(['m2@rehearsal.invalid'])],
  ]);
  const production = record(PRODUCTION, [mail('ACC-000001', 'ada@analytical.example'), mail('ACC-000002', 'Alan@Bletchley.example')]);
  const same = checkOutboundMail(record(REHEARSAL, [mail('ACC-000001', 'm1@rehearsal.invalid'), mail('ACC-000002', 'm2@rehearsal.invalid')]), production, masked, true);
  t.equal(same.status, 'passed', same.summary);

  const fixed = checkOutboundMail(record(REHEARSAL, [mail('ACC-000001', 'billing@rehearsal.invalid'), mail('ACC-000002', 'billing@rehearsal.invalid')]), production, masked, true);
  t.equal(fixed.status, 'failed');
  t.match(fixed.summary, /2 recipient differs/);
  t.same(fixed.affectedAccounts, ['ACC-000001', 'ACC-000002']);

  // Right address, but the unmasked production one: masking is part of what must hold.
  const unmasked = checkOutboundMail(record(REHEARSAL, [mail('ACC-000001', 'ada@analytical.example'), mail('ACC-000002', 'm2@rehearsal.invalid')]), production, masked, true);
  t.same(unmasked.affectedAccounts, ['ACC-000001']);

  const missing = checkOutboundMail(record(REHEARSAL, [mail('ACC-000002', 'm2@rehearsal.invalid')]), production, masked, true);
  t.match(missing.summary, /1 not mailed/);
  t.same(missing.affectedAccounts, ['ACC-000001']);

  const twice = checkOutboundMail(
    record(REHEARSAL, [mail('ACC-000001', 'm1@rehearsal.invalid'), mail('ACC-000001', 'm1@rehearsal.invalid'), mail('ACC-000002', 'm2@rehearsal.invalid', 'Payment failed')]),
    production,
    masked,
    true,
  );
  t.match(twice.summary, /message count differs/);
  t.match(twice.summary, /subject differs/);
  t.same(twice.affectedAccounts, ['ACC-000001', 'ACC-000002']);
});

t.test('mail off in the plan: skipped when nothing was sent, failed when something was', async (t) => {
  const production = record(PRODUCTION, []);
  t.equal(checkOutboundMail(record(REHEARSAL, []), production, new Map(), false).status, 'skipped');
  t.equal(checkOutboundMail(record(REHEARSAL, [mail('ACC-000001', 'x@y.example')]), production, new Map(), false).status, 'failed');
});

t.test('payments: one charge per invoice production charged, same processor, amount and currency, none for ineligible accounts', async (t) => {
  const production = record(PRODUCTION, [charge('ACC-000001')]);
  const eligible: ChargeEligibilityRow[] = [
    { invoice_number: INV1, account_number: 'ACC-000001', total: 1000, ineligible: null, processor: 'stripe', card_last4: null },
    { invoice_number: INV2, account_number: 'ACC-000002', total: 2000, ineligible: 'card expired', processor: 'stripe', card_last4: '4444' },
  ];
  const same = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001')]), production, rows(eligible), true);
  t.equal(same.status, 'passed', same.summary);

  const twice = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001'), charge('ACC-000001')]), production, rows(eligible), true);
  t.match(twice.summary, /charged 2 times/);
  t.same(twice.affectedAccounts, ['ACC-000001']);

  const expired = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001'), charge('ACC-000002', { amountCents: 2000 })]), production, rows(eligible), true);
  t.match(expired.summary, /charged, production did not/);
  t.match(expired.summary, /charged although card expired/);
  t.same(expired.affectedAccounts, ['ACC-000002']);

  const skipped = await checkOutboundPayments(record(REHEARSAL, []), production, rows(eligible), true);
  t.match(skipped.summary, /not charged/);

  const wrong = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { currency: 'eur', amountCents: 999, host: 'api.paypal.com' })]), production, rows(eligible), true);
  t.match(wrong.summary, /currency differs/);
  t.match(wrong.summary, /amount differs/);
  t.match(wrong.summary, /processor differs/);
});

t.test('payments: a charge of an ineligible account fails even when production made it too', async (t) => {
  const eligible: ChargeEligibilityRow[] = [{ invoice_number: INV2, account_number: 'ACC-000002', total: 2000, ineligible: 'auto-pay is off', processor: 'stripe', card_last4: null }];
  const both = record(PRODUCTION, [charge('ACC-000002', { amountCents: 2000 })]);
  const result = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000002', { amountCents: 2000 })]), both, rows(eligible), true);
  t.equal(result.status, 'failed');
  t.match(result.summary, /charged although auto-pay is off/);
});

t.test("payments: a charge to a card other than the account's default fails, though production's charge looks the same in every other way", async (t) => {
  const eligible: ChargeEligibilityRow[] = [
    { invoice_number: INV1, account_number: 'ACC-000001', total: 1000, ineligible: null, processor: 'stripe', card_last4: '4242' },
    { invoice_number: INV2, account_number: 'ACC-000002', total: 2000, ineligible: null, processor: 'stripe', card_last4: null },
  ];
  const production = record(PRODUCTION, [charge('ACC-000001', { last4: '4242' }), charge('ACC-000002', { amountCents: 2000, last4: '1881' })]);
  const own = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { last4: '4242' }), charge('ACC-000002', { amountCents: 2000, last4: '0005' })]), production, rows(eligible), true);
  t.equal(own.status, 'passed', `the account's own card; no card digits known for ACC-000002: ${own.summary}`);
  const tokenOnly = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001'), charge('ACC-000002', { amountCents: 2000 })]), production, rows(eligible), true);
  t.equal(tokenOnly.status, 'passed', 'a charge carrying no card digits is not judged by them');
  const other = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { last4: '1881' }), charge('ACC-000002', { amountCents: 2000, last4: '1881' })]), production, rows(eligible), true);
  t.equal(other.status, 'failed');
  t.match(other.summary, /^1 account\(s\) differ: 1 charged a card other than the account's default$/);
  t.same(other.affectedAccounts, ['ACC-000001']);
  t.match(other.sections?.[1]?.rows[0], { invoice: INV1, production: "the account's card ending 4242", rehearsal: 'a card ending 1881' });
});

t.test("payments: the same charge asked of another endpoint, or with other fields (an authorization never captured), fails", async (t) => {
  const eligible: ChargeEligibilityRow[] = [{ invoice_number: INV1, account_number: 'ACC-000001', total: 1000, ineligible: null, processor: 'stripe', card_last4: null }];
  const form = 'amount_cents,currency,invoice,last4';
  const production = record(PRODUCTION, [charge('ACC-000001', { path: '/v1/charges', form })]);
  const same = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { path: '/v1/charges', form })]), production, rows(eligible), true);
  t.equal(same.status, 'passed', same.summary);
  const refund = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { path: '/v1/refunds', form })]), production, rows(eligible), true);
  t.match(refund.summary, /^1 account\(s\) differ: 1 gateway endpoint differs$/);
  t.match(refund.sections?.[1]?.rows[0], { invoice: INV1, production: 'POST /v#/charges', rehearsal: 'POST /v#/refunds' });
  const authorizeOnly = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { form: 'amount_cents,capture=false,currency,invoice,last4' })]), production, rows(eligible), true);
  t.match(authorizeOnly.summary, /1 request fields differ/);
  t.match(authorizeOnly.sections?.[1]?.rows[0], { production: form, rehearsal: 'amount_cents,capture=false,currency,invoice,last4' });
  const keys = new OutboundKeys();
  const sharedProduction = record(PRODUCTION, [charge('ACC-000001', { path: '/v1/charges', form })], keys);
  const sharingEndpoint = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { path: '/v1/refunds', form })], keys), sharedProduction, rows(eligible), true);
  t.match(sharingEndpoint.summary, /^1 account\(s\) differ: 1 gateway endpoint differs$/, 'records sharing their keys, as verify builds them');
  const sharingForm = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { path: '/v1/charges', form: 'amount_cents,capture=false,currency,invoice,last4' })], keys), sharedProduction, rows(eligible), true);
  t.match(sharingForm.summary, /^1 account\(s\) differ: 1 request fields differ$/, 'records sharing their keys, as verify builds them');
  const numbered = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { path: '/v2/charges', form })]), record(PRODUCTION, [charge('ACC-000001', { path: '/v1/charges', form })]), rows(eligible), true);
  t.equal(numbered.status, 'passed', 'digits in a path are not what a request asks for');
  const olderLedger = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { form })]), record(PRODUCTION, [charge('ACC-000001')]), rows(eligible), true);
  t.equal(olderLedger.status, 'passed', "production's ledger from before forms were recorded: the form is not compared");
});

t.test("payments: the same charge sent without the gateway's credentials or idempotency key fails; a ledger without headers is not judged by them", async (t) => {
  const eligible: ChargeEligibilityRow[] = [{ invoice_number: INV1, account_number: 'ACC-000001', total: 1000, ineligible: null, processor: 'stripe', card_last4: null }];
  const headers = 'authorization=bearer,content-type=application/json,idempotency-key';
  for (const keys of [undefined, new OutboundKeys()]) {
    const mode = keys === undefined ? 'records built apart' : 'records sharing their keys';
    const production = record(PRODUCTION, [charge('ACC-000001', { headers })], keys);
    const same = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { headers })], keys), production, rows(eligible), true);
    t.equal(same.status, 'passed', `${mode}: ${same.summary}`);
    for (const [what, rehearsal, shown] of [
      ['no credentials', 'content-type=application/json,idempotency-key', 'content-type=application/json,idempotency-key'],
      ['a blank credential', 'authorization=bearer(empty),content-type=application/json,idempotency-key', 'authorization=bearer(empty),content-type=application/json,idempotency-key'],
      ['no idempotency key', 'authorization=bearer,content-type=application/json', 'authorization=bearer,content-type=application/json'],
      ['none of them', '', '(none)'],
    ] as const) {
      const sent = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { headers: rehearsal })], keys), production, rows(eligible), true);
      t.equal(sent.status, 'failed', `${mode}: ${what}`);
      t.match(sent.summary, /^1 account\(s\) differ: 1 request headers differ$/, `${mode}: ${what}`);
      t.match(sent.sections?.[1]?.rows[0], { invoice: INV1, production: headers, rehearsal: shown }, `${mode}: ${what}`);
    }
  }
  const olderLedger = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { headers: '' })]), record(PRODUCTION, [charge('ACC-000001')]), rows(eligible), true);
  t.equal(olderLedger.status, 'passed', "production's ledger from before headers were recorded: they are not compared");
});

t.test('payments: one idempotency key sent for two invoices fails, even where production recorded no keys; retries of one invoice under its key do not', async (t) => {
  const eligible: ChargeEligibilityRow[] = [
    { invoice_number: INV1, account_number: 'ACC-000001', total: 1000, ineligible: null, processor: 'stripe', card_last4: null },
    { invoice_number: INV2, account_number: 'ACC-000002', total: 1000, ineligible: null, processor: 'stripe', card_last4: null },
  ];
  const production = record(PRODUCTION, [charge('ACC-000001'), charge('ACC-000002')]);
  const own = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { key: INV1 }), charge('ACC-000002', { key: INV2 })]), production, rows(eligible), true);
  t.equal(own.status, 'passed', own.summary);
  const shared = await checkOutboundPayments(record(REHEARSAL, [charge('ACC-000001', { key: 'bill-run-2026-11-01' }), charge('ACC-000002', { key: 'bill-run-2026-11-01' })]), production, rows(eligible), true);
  t.equal(shared.status, 'failed');
  t.match(shared.summary, /^2 account\(s\) differ: 2 idempotency key shared with another invoice$/);
  t.same(shared.affectedAccounts, ['ACC-000001', 'ACC-000002']);
  t.match(shared.sections?.[1]?.rows, [{ invoice: INV1, rehearsal: new RegExp(INV2) }, { invoice: INV2, rehearsal: new RegExp(INV1) }]);
  const retried = record(REHEARSAL, [charge('ACC-000001', { key: INV1 }), charge('ACC-000001', { key: INV1 }), charge('ACC-000002', { key: INV2 })]);
  t.same(retried.invoicesSharingIdempotencyKey(), [], 'one invoice sent twice under its own key is a retry, not a shared key');
  t.same(record(REHEARSAL, [charge('ACC-000001'), charge('ACC-000002')]).invoicesSharingIdempotencyKey(), [], 'charges without keys share none');
});

t.test('provisioning: package, action and switch (by its place in each side\'s list)', async (t) => {
  const line = (pkg: string, action = 'activate'): string => `PROVISION account=ACC-000001 package=${pkg} action=${action}`;
  const production = record(PRODUCTION, [
    provision('ACC-000001', '192.0.2.10', 2208, line('INSTALL')),
    provision('ACC-000001', '192.0.2.11', 5060, line('INSTALL')),
    provision('ACC-000001', '192.0.2.10', 2208, line('VOICE')),
    provision('ACC-000001', '192.0.2.11', 5060, line('VOICE')),
  ]);
  const sink = 'switch.sinkhole.rehearsal.invalid';
  const as = (entries: [string, number, string][]): OutboundRecord => record(REHEARSAL, entries.map(([h, p, l]) => provision('ACC-000001', h, p, l)));
  const same = checkOutboundProvisioning(as([[sink, 2208, line('INSTALL')], [sink, 5060, line('INSTALL')], [sink, 2208, line('VOICE')], [sink, 5060, line('VOICE')]]), production, true);
  t.equal(same.status, 'passed', same.summary);

  const suspend = checkOutboundProvisioning(
    as([[sink, 2208, line('INSTALL', 'suspend')], [sink, 5060, line('INSTALL', 'suspend')], [sink, 2208, line('VOICE', 'suspend')], [sink, 5060, line('VOICE', 'suspend')]]),
    production,
    true,
  );
  t.match(suspend.summary, /1 action differ/);
  t.same(suspend.affectedAccounts, ['ACC-000001']);

  const first = checkOutboundProvisioning(as([[sink, 2208, line('INSTALL')], [sink, 5060, line('INSTALL')]]), production, true);
  t.match(first.summary, /requests not sent/);

  const oneSwitch = checkOutboundProvisioning(as([[sink, 2208, line('INSTALL')], [sink, 2208, line('INSTALL')], [sink, 2208, line('VOICE')], [sink, 2208, line('VOICE')]]), production, true);
  t.match(oneSwitch.summary, /switch differ/);

  const none = checkOutboundProvisioning(as([]), production, true);
  t.match(none.summary, /not provisioned/);
});

t.test('a mismatch on every account keeps the report small: a count, the first accounts, a few examples per kind', async (t) => {
  const accounts = 5_000;
  const production = record(PRODUCTION, Array.from({ length: accounts }, (_, i) => mail(`ACC-${String(i).padStart(6, '0')}`, `a${i}@x.example`)));
  const rehearsal = record(REHEARSAL, []);
  const result = checkOutboundMail(rehearsal, production, new Map(), true);
  t.equal(result.status, 'failed');
  t.equal(result.affectedCount, accounts, 'every differing account is counted');
  t.equal(result.affectedAccounts?.length, 50, 'only the first accounts are listed');
  t.same(result.affectedAccounts?.slice(0, 2), ['ACC-000000', 'ACC-000001']);
  t.match(result.summary, /^5000 account\(s\) differ: 5000 not mailed/);
  const byKind = result.sections?.find((s) => s.title === 'Differences by kind')?.rows ?? [];
  t.same(byKind, [{ difference: 'not mailed', count: accounts, example: 'ACC-000000, ACC-000001, ACC-000002, ACC-000003, ACC-000004 (+4,995 more)' }]);
  t.ok(JSON.stringify(result).length < 20_000, `the result is ${JSON.stringify(result).length} characters`);
});
