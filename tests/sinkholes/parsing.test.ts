import { createServer } from 'node:net';
import { connect } from 'node:tls';
import t from 'tap';
import { Attribution } from '../../src/sinkholes/attribution.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

const ATTRIBUTION = new Attribution(SAMPLE_ADAPTER.outbound);
const accountIn = (text: string): string | undefined => ATTRIBUTION.accountIn(text);
const invoiceIn = (text: string): string | undefined => ATTRIBUTION.invoiceIn(text);
import { previewBytes, PREVIEW_LIMIT } from '../../src/sinkholes/bytes-preview.js';
import { readClientHello } from '../../src/sinkholes/client-hello.js';
import { answerCharge } from '../../src/sinkholes/gateway.js';
import { cardLast4In, chargeFactsOf, idempotencyKeyDigest, requestHeadersOf } from '../../src/sinkholes/payment-request.js';
import { decodeHeader } from '../../src/sinkholes/smtp.js';
import { summarizeLedger, type LedgerEntry } from '../../src/sinkholes/ledger.js';
import { ledgerMarkdown } from '../../src/sinkholes/ledger-report.js';

/** The first bytes a real Node TLS client sends, captured on loopback. */
async function clientHelloFor(servername: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (data: Buffer) => {
        resolve(data);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      const client = connect({ host: '127.0.0.1', port: address.port, ...(servername ? { servername } : {}) });
      client.on('error', () => undefined);
    });
  });
}

t.test('the server name is read from a real ClientHello', async (t) => {
  t.same(readClientHello(await clientHelloFor('api.stripe.com')), { state: 'hello', serverName: 'api.stripe.com' });
  const hello = await clientHelloFor(undefined);
  t.equal(readClientHello(hello).state, 'hello', 'no SNI: still TLS');
  t.same(readClientHello(hello.subarray(0, 20)), { state: 'incomplete' }, 'a partial record waits for more');
  t.same(readClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { state: 'not-tls' });
});

t.test('accounts are attributed from provisioning lines and invoice numbers', async (t) => {
  t.equal(accountIn('PROVISION account=100042 package=GOLD'), '100042');
  t.equal(accountIn('Your invoice INV-2026-11-01-A-77'), 'A-77');
  t.equal(invoiceIn('{"invoice":"INV-2026-11-01-100042"}'), 'INV-2026-11-01-100042');
  t.equal(accountIn('Monthly newsletter'), undefined);
});

t.test("the amount due and its currency are read from a message's text; long or hostile captures are cut", async (t) => {
  t.same(ATTRIBUTION.dueIn('Invoice INV-2026-11-01-ACC-000001\nAmount due: 1,234.56 USD\n'), { amount: '1,234.56', currency: 'USD' });
  t.equal(ATTRIBUTION.dueIn('Amount due: 12.00\n'), undefined, 'the sample states the currency with every amount: without it, no match');
  const amountOnly = new Attribution({ accountPatterns: [], amountPattern: 'due: ([0-9.]+)' });
  t.same(amountOnly.dueIn('due: 5.00 EUR'), { amount: '5.00' }, 'one group: the amount alone');
  const currencyFirst = new Attribution({ accountPatterns: [], amountPattern: '(?<currency>[€$£]|[A-Z]{3}) ?(?<amount>[0-9][0-9.,]*) due' });
  t.same(currencyFirst.dueIn('Please pay € 5,00 due now'), { amount: '5,00', currency: '€' }, 'named groups in either order');
  const optional = new Attribution({ accountPatterns: [], amountPattern: 'due: (?<amount>[0-9.]+)(?: (?<currency>[A-Z]+))?' });
  t.same(optional.dueIn('due: 5.00'), { amount: '5.00' }, 'an optional currency that matched nothing is none');
  t.same(optional.dueIn(`due: 5.00 ${'X'.repeat(100_000)}`), { amount: '5.00', currency: 'XXXXXXXX' }, 'a currency is cut to 8 characters');
  t.same(optional.dueIn(`due: ${'9'.repeat(1000)}`)?.amount.length, 40, 'an amount is cut to 40 characters');
});

t.test('a charge keeps amount, invoice, last four and the names of its fields only', async (t) => {
  const facts = chargeFactsOf(
    JSON.stringify({ invoice: 'INV-2026-11-01-100042', amount_cents: 1999, currency: 'USD', card: { number: '4111111111111111', cvc: '123' }, token: 'tok_x' }),
    { 'content-type': 'application/json' },
    ATTRIBUTION,
  );
  t.same(facts, { amountCents: 1999, currency: 'USD', invoice: 'INV-2026-11-01-100042', last4: '1111', account: '100042', form: 'amount_cents,currency,invoice' });
  t.notOk(JSON.stringify(facts).includes('4111111111111111'));
  t.notMatch(JSON.stringify(facts), /tok_x|123/, 'neither the token nor the card code, nor their names');
  t.match(chargeFactsOf('x_amount=12.34&x_card_num=5555555555554444&x_invoice_num=INV-2026-11-01-9', { 'content-type': 'application/x-www-form-urlencoded' }, ATTRIBUTION), {
    amountCents: 1234,
    last4: '4444',
    account: '9',
  });
  t.equal(cardLast4In('order 1234567890123 ref'), undefined, 'a long number that fails Luhn is not a card');
});

t.test("a charge's form: its field names sorted, yes/no values kept, secrets and card or bank fields left out", async (t) => {
  const form = (body: object): string | undefined => chargeFactsOf(JSON.stringify(body), { 'content-type': 'application/json' }, ATTRIBUTION).form;
  const charge = { invoice: 'INV-1', amount_cents: 1999, currency: 'USD', token: 'tok_x', last4: '4242' };
  t.equal(form(charge), 'amount_cents,currency,invoice,last4');
  t.equal(form({ ...charge, capture: false }), 'amount_cents,capture=false,currency,invoice,last4', 'an authorization never captured');
  t.equal(form({ capture: true, ...charge }), 'amount_cents,capture=true,currency,invoice,last4', 'in any order');
  t.equal(form({ ...charge, card_token: null, routing_last4: '0002', api_secret: 's', merchant_key: 'm' }), 'amount_cents,currency,invoice,last4', 'fields sanitize may null or change are not part of it');
  t.equal(form({ ...charge, idempotency_key: 'k-1' }), 'amount_cents,currency,idempotency_key,invoice,last4', "an idempotency key's name is, though it says key");
  t.equal(form({ ...charge, description: 'Ada Lovelace, 12 Main St' }), 'amount_cents,currency,description,invoice,last4', "a field's text is never kept, only its name");
  t.equal(chargeFactsOf('amount=12.34&invoice=INV-1&capture=false', { 'content-type': 'application/x-www-form-urlencoded' }, ATTRIBUTION).form, 'amount,capture=false,invoice', 'a form body too');
  t.equal(chargeFactsOf('', { 'content-type': 'application/json' }, ATTRIBUTION).form, undefined, 'an empty body has none');
});

t.test('the decline rule declines by last four and by amount', async (t) => {
  const rule = { last4: ['0002'], aboveCents: 100_000 };
  t.equal(answerCharge({ last4: '4242', amountCents: 500 }, rule).approved, true);
  t.equal(answerCharge({ last4: '0002', amountCents: 500 }, rule).approved, false);
  t.equal(answerCharge({ last4: '4242', amountCents: 100_001 }, rule).approved, false);
});

t.test('a bank payment is not declined by its routing digits, which sanitize masks', async (t) => {
  const rule = { last4: ['0002'] };
  // Production's unmasked routing number ends 0002; the rehearsal's masked one has no digits left.
  for (const routing of ['0002', 'mnkp']) {
    const facts = chargeFactsOf(JSON.stringify({ invoice: 'INV-2026-11-01-148961', amount_cents: 4599, currency: 'USD', routing_last4: routing }), { 'content-type': 'application/json' }, ATTRIBUTION);
    t.equal(facts.last4, undefined, `routing digits ${routing} are not a card's last four`);
    t.equal(answerCharge(facts, rule).approved, true, `routing digits ${routing}: approved, the same answer on both sides`);
  }
});

t.test('encoded subjects are decoded and previews are capped', async (t) => {
  t.equal(decodeHeader('=?UTF-8?B?RmFjdHVyZSDDqXTDqQ==?='), 'Facture été');
  t.equal(decodeHeader('=?UTF-8?Q?Invoice_=E2=82=AC5?='), 'Invoice €5');
  const preview = previewBytes(Buffer.concat([Buffer.from('OK\x00\n'), Buffer.alloc(1000, 0x41)]));
  t.equal(preview.length, PREVIEW_LIMIT);
  t.equal(preview.text.slice(0, 4), 'OK..');
  t.equal(preview.hex.length, PREVIEW_LIMIT * 2);
});

t.test('the ledger section of the report counts per kind, destination and account', async (t) => {
  const base = { time: '2026-11-01T00:00:00.000Z', peer: { address: '127.0.0.1', port: 1 } };
  const entries: LedgerEntry[] = [
    { ...base, kind: 'mail', destination: { host: 'mail.example', address: '127.77.0.2', port: 25, protocol: 'tcp' }, account: '7', from: 'a@x', to: ['b@y'], subject: 'INV-2026-11-01-7', sizeBytes: 300 },
    { ...base, kind: 'payment', destination: { host: 'api.stripe.com', address: '127.77.0.3', port: 443, protocol: 'tcp' }, account: '7', method: 'POST', path: '/v1/charges', amountCents: 1234, currency: 'USD', last4: '4242', approved: false, transactionId: 'rh_1' },
    { ...base, kind: 'provisioning', destination: { host: '192.0.2.10', address: '192.0.2.10', port: 2208, protocol: 'tcp' }, service: 'BroadWorks OCI-P', firstBytes: previewBytes(Buffer.from('HELLO\n')) },
  ];
  const summary = summarizeLedger(entries);
  t.same(summary.byKind, { mail: 1, payment: 1, provisioning: 1, tls: 0 });
  t.same(summary.byAccount, { '7': 2 });
  t.equal(summary.unattributed, 1);
  const markdown = ledgerMarkdown(summary, entries);
  t.match(markdown, /\| payment \| api\.stripe\.com:443 \| 1 \|/);
  t.match(markdown, /POST \/v1\/charges 12\.34 USD card …4242: declined/);
  t.match(markdown, /Attributed to 1 account\(s\); 1 attempt\(s\) name no account/);
});

t.test("a charge's headers: what changes the gateway's answer, never a credential, nothing an HTTP client adds on its own", async (t) => {
  // As Node parses them: names in lower case.
  const raw = (headers: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const production = raw({ Host: 'api.stripe.com', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '80', Authorization: 'Bearer sk_live_abc', 'Idempotency-Key': 'INV-1', 'User-Agent': 'node' });
  t.equal(requestHeadersOf(production), 'authorization=bearer,content-type=application/json,idempotency-key');
  t.notMatch(requestHeadersOf(production), /sk_live|INV-1/, 'neither the credential nor the key itself');
  t.equal(requestHeadersOf(raw({ 'Content-Type': 'application/json', 'Idempotency-Key': 'INV-1' })), 'content-type=application/json,idempotency-key', 'no credentials at all');
  t.equal(requestHeadersOf(raw({ authorization: 'Bearer ', 'content-type': 'application/json' })), 'authorization=bearer(empty),content-type=application/json', 'a blank credential is told from a missing one');
  t.equal(requestHeadersOf(raw({ Authorization: 'Basic dXNlcjpwYXNz', 'Stripe-Version': '2024-06-20' })), 'authorization=basic,stripe-version=2024-06-20', "an API version's value is kept");
  t.equal(requestHeadersOf(raw({ 'User-Agent': 'axios/1.7', Accept: '*/*', Connection: 'keep-alive', 'Accept-Encoding': 'gzip' })), '', 'a new HTTP client changes nothing that is compared');
  t.equal(requestHeadersOf(raw({ 'X-Api-Version': `2024'; DROP TABLE x;--${'9'.repeat(100_000)}` })), "x-api-version=2024';?DROP?TABLE?x;--999999999999999999", 'a hostile value is cut and kept to printable text without the separator');
  t.equal(requestHeadersOf(raw({ 'X-Api-Version': 'v1,v2 ü' })), 'x-api-version=v1?v2??', 'a comma or non-ASCII cannot split the list');
  t.equal(requestHeadersOf({ authorization: undefined, 'x-api-version': ['1', '2'] }), 'x-api-version=1??2', 'a missing value is ignored, a repeated one joined');
});

t.test("a charge's idempotency key is kept as a digest, from its header or its body field, never as itself", async (t) => {
  const body = JSON.stringify({ invoice: 'INV-1', amount_cents: 100 });
  const fromHeader = chargeFactsOf(body, { 'content-type': 'application/json', 'idempotency-key': ' INV-1 ' }, ATTRIBUTION);
  t.equal(fromHeader.idempotencyKey, idempotencyKeyDigest('INV-1'), 'trimmed, then hashed');
  t.match(fromHeader.idempotencyKey, /^[0-9a-f]{13}$/);
  t.notMatch(JSON.stringify(fromHeader), /"INV-1"[^]*"INV-1"/, 'the key is not kept beside the invoice');
  const fromBody = chargeFactsOf(JSON.stringify({ invoice: 'INV-1', idempotency_key: 'k-9' }), { 'content-type': 'application/json' }, ATTRIBUTION);
  t.equal(fromBody.idempotencyKey, idempotencyKeyDigest('k-9'), "Square's body field");
  t.equal(chargeFactsOf(body, { 'content-type': 'application/json', 'idempotency-key': '  ' }, ATTRIBUTION).idempotencyKey, undefined, 'a blank key is none');
  t.not(idempotencyKeyDigest('INV-1'), idempotencyKeyDigest('INV-2'));
  t.equal(idempotencyKeyDigest("'; DROP TABLE x;--" + 'é'.repeat(100_000)).length, 13, 'any key, any length: 13 hex digits');
});
