import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import t, { type Test } from 'tap';
import { Attribution, type AttributionPatterns } from '../../src/sinkholes/attribution.js';
import { createRunCa } from '../../src/sinkholes/ca.js';
import type { SinkholeContext } from '../../src/sinkholes/context.js';
import { LedgerWriter, readLedger, type MailEntry } from '../../src/sinkholes/ledger.js';
import { MessageReader } from '../../src/sinkholes/smtp-data.js';
import { MailSinkhole, plainText } from '../../src/sinkholes/smtp.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';
import { waitFor } from '../helpers/wait-for.js';

const NONCE = 'n0nce-smtp-test';

async function sinkholeContext(t: Test, withCa: boolean, outbound: AttributionPatterns): Promise<{ ctx: SinkholeContext; ledger: string; caCert?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-smtp-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = withCa ? await createRunCa(join(dir, 'ca'), 'smtp-test', ['mail.northwind-telecom.example', '127.0.0.1']) : undefined;
  const ledger = join(dir, 'ledger.jsonl');
  const ctx: SinkholeContext = {
    config: { ledgerPath: ledger, nonce: NONCE, hostsByAddress: {}, smtpPorts: [], smtpsPorts: [], tlsPorts: [], tcpPorts: {}, udpPorts: {}, decline: { last4: [] } },
    hosts: new Map([['127.0.0.1', 'mail.northwind-telecom.example']]),
    ledger: new LedgerWriter(ledger),
    attribution: new Attribution(outbound),
    ...(ca ? { tls: { key: readFileSync(ca.serverKeyPath), cert: readFileSync(ca.serverCertPath) } } : {}),
  };
  return { ctx, ledger, ...(ca ? { caCert: readFileSync(ca.caCertPath, 'utf8') } : {}) };
}

async function mailSinkhole(t: Test, withCa: boolean, outbound: AttributionPatterns = SAMPLE_ADAPTER.outbound): Promise<{ port: number; ledger: string; caCert?: string }> {
  const { ctx, ledger, caCert } = await sinkholeContext(t, withCa, outbound);
  const sinkhole = new MailSinkhole(ctx, false);
  const server: Server = createServer((socket) => sinkhole.serve(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, ledger, ...(caCert !== undefined ? { caCert } : {}) };
}

/** Sends `writes` one after another on one connection and collects everything the server answers until it closes. */
function converse(port: number, writes: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let answered = '';
    const socket = connect({ host: '127.0.0.1', port });
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      answered += text;
      if (answered.startsWith('220 ') && writes.length > 0 && answered.split('\r\n').length === 2) for (const w of writes) socket.write(w);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answered));
  });
}

const mails = (ledger: string): MailEntry[] => readLedger(ledger).filter((e): e is MailEntry => e.kind === 'mail');

t.test('a real mail client hands over a message through STARTTLS and AUTH, and the ledger records it', async (t) => {
  const sink = await mailSinkhole(t, true);
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    requireTLS: true,
    auth: { user: 'billing', pass: 'anything' },
    tls: { ca: sink.caCert, servername: 'mail.northwind-telecom.example' },
  });
  t.teardown(() => transport.close());
  const info = await transport.sendMail({ from: 'billing@northwind-telecom.example', to: ['ada@customer.example', 'bob@customer.example'], subject: 'Facture INV-2026-11-01-100042 été', text: 'Amount due: 42.00' });
  t.same(info.accepted, ['ada@customer.example', 'bob@customer.example'], 'both recipients accepted');
  const [mail] = mails(sink.ledger);
  t.match(mail, {
    destination: { host: 'mail.northwind-telecom.example', address: '127.0.0.1', port: sink.port, protocol: 'tcp' },
    from: 'billing@northwind-telecom.example',
    to: ['ada@customer.example', 'bob@customer.example'],
    subject: 'Facture INV-2026-11-01-100042 été',
    account: '100042',
  });
  t.ok((mail?.sizeBytes ?? 0) > 100, 'size recorded');
});

const WITHOUT_AMOUNTS: AttributionPatterns = { accountPatterns: SAMPLE_ADAPTER.outbound.accountPatterns };

for (const [reading, outbound] of [
  ['read for its amount', SAMPLE_ADAPTER.outbound],
  ['not read for an amount', WITHOUT_AMOUNTS],
] as const) {
t.test(`a pipelined session (the message ${reading}): every reply in order, dot-stuffed lines counted once, the message recorded before QUIT is answered`, async (t) => {
  const sink = await mailSinkhole(t, false, outbound);
  const body = 'Subject: Invoice account=100077\r\n\r\n..a line that began with a dot\r\nlast line\r\n';
  const answer = await converse(sink.port, [
    'EHLO billing.example\r\nMAIL FROM:<billing@northwind-telecom.example> SIZE=100\r\nRCPT TO:<ada@customer.example>\r\nDATA\r\n',
    body.slice(0, 40),
    `${body.slice(40)}.\r\nQUIT\r\n`,
  ]);
  const codes = answer
    .split('\r\n')
    .filter((line) => /^\d{3} /.test(line))
    .map((line) => line.slice(0, 3));
  t.same(codes, ['220', '250', '250', '250', '354', '250', '221'], answer);
  t.match(answer, `220 rehearsal-sinkhole-${NONCE}`, 'the greeting carries the nonce');
  const [mail] = mails(sink.ledger);
  t.match(mail, { from: 'billing@northwind-telecom.example', to: ['ada@customer.example'], subject: 'Invoice account=100077', account: '100077' });
  t.equal(mail?.sizeBytes, Buffer.byteLength(body) - 1, 'the stuffed dot is not counted');
});
}

t.test('the amount a message states is read from its decoded text, whatever the encoding; nothing else of the body is recorded', async (t) => {
  const sink = await mailSinkhole(t, false);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
  t.teardown(() => transport.close());
  const from = 'billing@northwind-telecom.example';
  const text = (amount: string): string => `Your invoice is ready. Grüße, the billing team.\nAmount due: ${amount} EUR\nThank you for your business.\n`;
  await transport.sendMail({ from, to: 'a@customer.example', subject: 'Invoice INV-2026-11-01-ACC-000001', text: text('1,234.56') });
  await transport.sendMail({ from, to: 'b@customer.example', subject: 'Invoice INV-2026-11-01-ACC-000002', text: text('42.00'), textEncoding: 'base64' });
  await transport.sendMail({
    from,
    to: 'c@customer.example',
    subject: 'Invoice INV-2026-11-01-ACC-000003',
    text: text('7.50'),
    attachments: [{ filename: 'invoice.pdf', content: Buffer.alloc(200_000, 0x25) }],
  });
  await transport.sendMail({ from, to: 'd@customer.example', subject: 'Invoice INV-2026-11-01-ACC-000004', text: 'Your invoice is ready.\n' });
  const recorded = mails(sink.ledger);
  t.same(
    recorded.map((m) => [m.to[0], m.amountStated, m.currencyStated]),
    [
      ['a@customer.example', '1,234.56', 'EUR'],
      ['b@customer.example', '42.00', 'EUR'],
      ['c@customer.example', '7.50', 'EUR'],
      ['d@customer.example', undefined, undefined],
    ],
    'quoted-printable, base64 and the text part beside a 200 KB attachment, with the currency the sample adapter reads; none where the text states none',
  );
  t.notMatch(readFileSync(sink.ledger, 'utf8'), /Thank you|Grüße|Gr=C3=BC/, 'the body itself is not in the ledger');
  const digests = recorded.map((m) => m.textDigest);
  t.ok(digests.every((d) => d !== undefined && /^[0-9a-f]{13}$/.test(d)), 'each text kept as a 13-digit digest, plain or decoded');
  t.equal(new Set(digests).size, 4, 'texts that differ (here by the amount) have digests that differ');
  await transport.sendMail({ from, to: 'e@customer.example', subject: 'Invoice INV-2026-11-01-ACC-000005', text: text('42.00'), textEncoding: 'quoted-printable' });
  t.equal(mails(sink.ledger)[4]?.textDigest, digests[1], 'the same text has the same digest whatever its transfer encoding');
});

/** A connection whose chunks the test delivers itself, back to back in one turn of the loop. */
class ScriptedSocket extends EventEmitter {
  written = '';
  setNoDelay(): void {}
  setTimeout(): this {
    return this;
  }
  write(text: string): boolean {
    this.written += text;
    return true;
  }
  end(): void {
    this.emit('close');
  }
  destroy(): void {
    this.emit('close');
  }
}

t.test('commands that arrive while a message is still read for its amount wait for its answer: replies keep their order', async (t) => {
  const { ctx, ledger } = await sinkholeContext(t, false, SAMPLE_ADAPTER.outbound);
  const socket = new ScriptedSocket();
  new MailSinkhole(ctx, false).serve(socket as unknown as Socket);
  socket.emit('data', Buffer.from('EHLO billing.example\r\nMAIL FROM:<billing@northwind-telecom.example>\r\nRCPT TO:<ada@customer.example>\r\nDATA\r\n'));
  // Quoted-printable, so the MIME parser reads it, after this turn of the loop.
  socket.emit('data', Buffer.from('Subject: Invoice INV-2026-11-01-ACC-000001\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nAmount due: 5.00 EUR =E2=82=AC\r\n.\r\n'));
  // In the same turn: the message's text is still being read when these arrive.
  socket.emit('data', Buffer.from('NOOP\r\n'));
  socket.emit('data', Buffer.from('QUIT\r\n'));
  await waitFor('the answer to QUIT', () => (socket.written.includes('221 ') ? true : undefined), { timeoutMs: 5000 });
  const codes = socket.written.split('\r\n').filter((line) => /^\d{3} /.test(line)).map((line) => line.slice(0, 3));
  t.same(codes, ['220', '250', '250', '250', '354', '250', '250', '221'], socket.written);
  t.match(socket.written, /354 [^\r]*\r\n250 2\.0\.0 OK: message queued\r\n250 2\.0\.0 OK\r\n221/, 'the message is answered before the NOOP after it');
  t.match(mails(ledger), [{ account: 'ACC-000001', amountStated: '5.00' }]);
});

t.test('a plain single-part text message is read as it came; anything with a transfer encoding, another type or charset goes to the MIME parser', async (t) => {
  const message = (headers: string, body: string): string => `Subject: x\r\n${headers}\r\n${body}`;
  t.equal(plainText(message('', 'Amount due: 5.00 USD\r\n')), 'Amount due: 5.00 USD\r\n', 'no content headers: 7bit US-ASCII text');
  t.equal(plainText(message('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n', Buffer.from('Grüße: 5,00 €', 'utf8').toString('latin1'))), 'Grüße: 5,00 €', '8bit UTF-8');
  t.equal(plainText(message('Content-Type: TEXT/PLAIN; charset="ISO-8859-1"\r\n', Buffer.from('Grüße', 'latin1').toString('latin1'))), 'Grüße', 'Latin-1, quoted charset, any case');
  t.equal(plainText(message('', '..a line that began with a dot\r\n..and another\r\nend')), '.a line that began with a dot\r\n.and another\r\nend', 'stuffed dots taken out');
  for (const [headers, why] of [
    ['Content-Transfer-Encoding: quoted-printable\r\n', 'quoted-printable'],
    ['Content-Transfer-Encoding: base64\r\n', 'base64'],
    ['Content-Type: multipart/mixed; boundary="b"\r\n', 'multipart'],
    ['Content-Type: text/html; charset=utf-8\r\n', 'HTML'],
    ['Content-Type: text/plain; charset=windows-1252\r\n', 'another charset'],
  ] as const) {
    t.equal(plainText(message(headers, 'Amount due: 5.00 USD')), undefined, why);
  }
  t.equal(plainText('Subject: no end of the headers in the kept start'), undefined, 'headers cut off');
});

t.test('a sinkhole whose adapter declares no amount pattern records no amount', async (t) => {
  const sink = await mailSinkhole(t, false, WITHOUT_AMOUNTS);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
  t.teardown(() => transport.close());
  await transport.sendMail({ from: 'billing@northwind-telecom.example', to: 'a@customer.example', subject: 'Invoice INV-2026-11-01-ACC-000001', text: 'Amount due: 1.00 USD\n' });
  const [mail] = mails(sink.ledger);
  t.equal(mail?.account, 'ACC-000001');
  t.notOk(mail !== undefined && 'amountStated' in mail, 'no amountStated field');
  t.notOk(mail !== undefined && 'textDigest' in mail, 'nor a digest: the text is not read at all');
});

t.test('commands out of order are refused and a probe is answered with the nonce; nothing is recorded', async (t) => {
  const sink = await mailSinkhole(t, false);
  const answer = await converse(sink.port, ['RCPT TO:<a@b.example>\r\nDATA\r\nREHEARSAL-PROBE\r\nSTARTTLS\r\nQUIT\r\n']);
  const codes = answer.split('\r\n').filter((line) => /^\d{3} /.test(line)).map((line) => line.slice(0, 3));
  t.same(codes, ['220', '503', '503', '500', '502', '221'], answer);
  t.match(answer, `500 5.5.2 rehearsal-sinkhole-${NONCE}`, 'an unknown line is answered with the nonce too');
  t.same(mails(sink.ledger), []);
});

t.test('the end of the data is found wherever the chunks split it, and the size is the same', async (t) => {
  const raw = Buffer.from('Subject: x\r\n\r\n.hidden dot\r\n..two\r\nend\r\n.\r\nQUIT\r\n');
  const end = raw.indexOf('.\r\nQUIT') + 3;
  const whole = new MessageReader();
  t.equal(whole.push(raw), end);
  t.equal(whole.size, Buffer.byteLength('Subject: x\r\n\r\nhidden dot\r\n.two\r\nend\r\n'));
  for (let split = 1; split < end; split++) {
    const reader = new MessageReader();
    const first = reader.push(raw.subarray(0, split));
    const second = first >= 0 ? first : split + reader.push(raw.subarray(split));
    if (second !== end || reader.size !== whole.size) t.fail(`split at ${split}: end ${second}, size ${reader.size}`);
    // Kept whole (as for the amount it states): the message as it came, without the line that ended the data.
    const keeping = new MessageReader(true);
    if (keeping.push(raw.subarray(0, split)) < 0) keeping.push(raw.subarray(split));
    if (keeping.headText() !== 'Subject: x\r\n\r\n.hidden dot\r\n..two\r\nend\r\n') t.fail(`split at ${split}: kept ${JSON.stringify(keeping.headText())}`);
  }
  t.equal(whole.headText(), 'Subject: x\r\n\r\n.hidden dot\r\n..two\r\nend\r\n', 'without the line that ended the data');
});

t.test('a client that quits before its message ends leaves nothing in the ledger', async (t) => {
  const sink = await mailSinkhole(t, false);
  const socket = connect({ host: '127.0.0.1', port: sink.port });
  socket.write('HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nSubject: half\r\n');
  let answered = '';
  socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
  await waitFor('the 354', () => (answered.includes('354 ') ? true : undefined));
  socket.destroy();
  t.same(mails(sink.ledger), []);
});
