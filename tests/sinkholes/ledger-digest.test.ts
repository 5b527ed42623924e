import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringIds } from '../../src/compact/columns.js';
import { checkedAttempts } from '../../src/sinkholes/checked-attempts.js';
import { digestLedger, forEachLedgerEntry, LedgerSummarizer, MAX_ACCOUNTS_IN_SUMMARY, type LedgerEntry } from '../../src/sinkholes/ledger.js';

const base = { time: '2026-11-01T00:00:00.000Z', peer: { address: '127.0.0.1', port: 1 } };
const gateway = (host: string) => ({ host, address: '127.77.0.3', port: 443, protocol: 'tcp' as const });

function mail(account: string | undefined, subject = 's'): LedgerEntry {
  return { ...base, kind: 'mail', destination: { host: 'smtp.example', address: '127.77.0.2', port: 25, protocol: 'tcp' }, ...(account !== undefined ? { account } : {}), from: 'a@x', to: ['b@y'], subject, sizeBytes: 1 };
}

function payment(fields: { host?: string; account?: string; invoice?: string; amountCents?: number; approved?: boolean }): LedgerEntry {
  const { host = 'api.stripe.com', approved = true, ...rest } = fields;
  return { ...base, kind: 'payment', destination: gateway(host), method: 'POST', path: '/v1/charges', transactionId: 'rh_1', approved, ...rest };
}

function provisioning(account: string | undefined): LedgerEntry {
  return { ...base, kind: 'provisioning', destination: { host: '192.0.2.10', address: '192.0.2.10', port: 2208, protocol: 'tcp' }, ...(account !== undefined ? { account } : {}), service: 'BroadWorks OCI-P', firstBytes: { length: 1, hex: '41', text: 'A' } };
}

t.test('distinct strings are counted exactly: repeats, near-identical, empty and non-ASCII values, across growth', async (t) => {
  const distinct = new StringIds();
  const reference = new Set<string>();
  const add = (value: string): void => {
    distinct.intern(value);
    reference.add(value);
  };
  // Enough values to grow the table many times and the byte buffer past its first 64 KB.
  for (let round = 0; round < 3; round++) for (let n = 0; n < 20_000; n++) add(`ACC-${String(n).padStart(6, '0')}`);
  for (const value of ['', 'ACC-1', 'ACC-01', 'acc-000001', 'été', 'ete', '\ud800', '\udc00', '\ud800\udc00', '\u{1f600}', 'x'.repeat(100_000), 'x'.repeat(100_001)]) {
    add(value);
    add(value);
  }
  t.equal(distinct.size, reference.size, 'the same count as a Set of the same strings');
  t.equal(distinct.size, 20_000 + 12);
});

t.test('distinct strings stay exact when 32-bit hashes collide', async (t) => {
  // These pairs share their 32-bit FNV-1a hash (found by search): an equal hash taken for an
  // equal value would count each pair once.
  const colliding = [['ACC-643978', 'ACC-991622'], ['ACC-643979', 'ACC-991623'], ['ACC-643972', 'ACC-991628']];
  const distinct = new StringIds();
  for (const pair of colliding) for (const value of [...pair, ...pair]) distinct.intern(value);
  t.equal(distinct.size, 6);
});

t.test('the checked attempts keep every field the checks read, in ledger order', async (t) => {
  const attempts = checkedAttempts([
    payment({ account: 'ACC-1', invoice: 'INV-2026-11-01-ACC-1', amountCents: 1234 }),
    mail('ACC-1'),
    provisioning('ACC-2'),
    payment({ host: 'api.authorize.net', approved: false }),
    provisioning(undefined),
    provisioning('ACC-1'),
    provisioning('ACC-2'),
    payment({ account: 'ACC-3', invoice: 'INV-2026-11-01-ACC-3', amountCents: 0 }),
  ]);
  const { payments } = attempts;
  t.equal(payments.length, 3);
  const row = (i: number) => ({ invoice: payments.invoice(i), account: payments.account(i), amountCents: payments.amountCents(i), approved: payments.approved(i), host: payments.host(i) });
  t.same(row(0), { invoice: 'INV-2026-11-01-ACC-1', account: 'ACC-1', amountCents: 1234, approved: true, host: 'api.stripe.com' });
  t.same(row(1), { invoice: undefined, account: undefined, amountCents: undefined, approved: false, host: 'api.authorize.net' }, 'an attempt without amount or invoice stays without them');
  t.same(row(2), { invoice: 'INV-2026-11-01-ACC-3', account: 'ACC-3', amountCents: 0, approved: true, host: 'api.stripe.com' }, 'a zero amount is not "no amount"');
  t.same([...attempts.provisionedAccounts], ['ACC-2', 'ACC-1'], 'distinct provisioned accounts, first seen first');
  t.equal(attempts.provisioningAttempts, 4, 'every switch connection counted, attributed or not');
});

t.test('payment attempts and provisioned accounts read back exactly from their columns, past a column page and with hostile values', async (t) => {
  // A column page holds 65,536 values: 70,000 attempts cross one.
  const entries: LedgerEntry[] = [];
  for (let n = 0; n < 70_000; n++) entries.push(payment({ host: n % 2 === 0 ? 'api.stripe.com' : 'api.authorize.net', account: `ACC-${n}`, invoice: `INV-${n}`, amountCents: n, approved: n % 3 === 0 }));
  entries.push(payment({ account: '', invoice: '', amountCents: -5 }));
  entries.push(payment({ account: "Ünïcødé-账户-\u{1F4B3}", invoice: "INV'; DROP TABLE invoices; --", amountCents: 1.5 }));
  entries.push(payment({ account: 'ACC-LONG', invoice: 'I'.repeat(2_000_000), amountCents: 7 }));
  for (const account of ['ACC-9', 'ACC-9', '', 'Ünïcødé', 'ACC-1']) entries.push(provisioning(account));
  const attempts = checkedAttempts(entries);
  const { payments } = attempts;
  t.equal(payments.length, 70_003);
  t.same([payments.invoice(69_999), payments.account(69_999), payments.amountCents(69_999), payments.approved(69_999), payments.host(69_999)], ['INV-69999', 'ACC-69999', 69_999, true, 'api.authorize.net']);
  t.same([payments.invoice(69_001), payments.approved(69_001), payments.host(69_001)], ['INV-69001', false, 'api.authorize.net']);
  t.same([payments.invoice(70_000), payments.account(70_000), payments.amountCents(70_000)], ['', '', -5], 'an empty invoice or account is not "none"');
  t.same([payments.invoice(70_001), payments.account(70_001), payments.amountCents(70_001)], ["INV'; DROP TABLE invoices; --", "Ünïcødé-账户-\u{1F4B3}", 1.5]);
  t.equal(payments.invoice(70_002)?.length, 2_000_000, 'a string longer than a column page');
  t.same([...attempts.provisionedAccounts], ['ACC-9', '', 'Ünïcødé', 'ACC-1']);
  t.ok(attempts.provisionedAccounts.has('Ünïcødé'));
  t.notOk(attempts.provisionedAccounts.has('ACC-2'));
  t.equal(attempts.provisionedAccounts.size, 4);
});

t.test('the summary itemises the first accounts seen and counts every account exactly', async (t) => {
  const summarizer = new LedgerSummarizer();
  const accounts = MAX_ACCOUNTS_IN_SUMMARY + 5;
  for (let n = 0; n < accounts; n++) summarizer.add(mail(`ACC-${n}`));
  // Repeats of an itemised and of a non-itemised account, and an unattributed attempt.
  summarizer.add(mail('ACC-0'));
  summarizer.add(mail('ACC-0'));
  summarizer.add(mail(`ACC-${MAX_ACCOUNTS_IN_SUMMARY}`));
  summarizer.add(mail(undefined));
  const summary = summarizer.result();
  t.equal(Object.keys(summary.byAccount).length, MAX_ACCOUNTS_IN_SUMMARY);
  t.equal(summary.byAccount['ACC-0'], 3, 'an itemised account keeps counting after the list is full');
  t.equal(summary.byAccount[`ACC-${MAX_ACCOUNTS_IN_SUMMARY - 1}`], 1, 'the last account to fit is itemised');
  t.notOk(`ACC-${MAX_ACCOUNTS_IN_SUMMARY}` in summary.byAccount, 'the first account past the cap is not');
  t.same(Object.keys(summary.byAccount).slice(0, 3), ['ACC-0', 'ACC-1', 'ACC-2'], 'in the order first seen');
  t.equal(summary.attributedAccounts, accounts, 'distinct accounts, repeats not counted twice');
  t.equal(summary.unattributed, 1);
  t.equal(summary.total, accounts + 4);
});

t.test('the digest reads the ledger in chunks and keeps the same entries whatever the line boundaries', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-ledger-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'egress-ledger.jsonl');
  // Lines of varied length (one longer than a read chunk) so that lines straddle chunk boundaries.
  const entries: LedgerEntry[] = [];
  for (let n = 0; n < 3000; n++) {
    const account = `ACC-${String(n % 1700).padStart(6, '0')}`;
    entries.push(n % 3 === 0 ? payment({ account, invoice: `INV-2026-11-01-${account}`, amountCents: n }) : n % 3 === 1 ? provisioning(account) : mail(account, 's'.repeat(n % 97)));
  }
  entries.push(mail('ACC-LONG', 'L'.repeat(200_000)));
  // A subject whose 'é' straddles the next 64 KB boundary: its two UTF-8 bytes land in two reads.
  const before = Buffer.byteLength(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const marker = '\u0000';
  const prefix = Buffer.byteLength(JSON.stringify(mail('ACC-EDGE', marker)).split(JSON.stringify(marker).slice(1, -1))[0] ?? '');
  const boundary = Math.ceil((before + prefix + 1) / 65536) * 65536;
  entries.push(mail('ACC-EDGE', `${'a'.repeat(boundary - 1 - before - prefix)}é and after`));
  writeFileSync(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const read: LedgerEntry[] = [];
  forEachLedgerEntry(file, undefined, (e) => read.push(e));
  t.same(read, entries, 'every entry, in order, intact');
  const digest = digestLedger(file, undefined, 10);
  t.equal(digest.sample.length, 10);
  t.equal(digest.summary.total, entries.length);
  t.equal(digest.summary.attributedAccounts, 1702);
  t.equal(digest.checked.payments.length, 1000);
  t.equal(digest.checked.provisioningAttempts, 1000);
  t.equal(digest.checked.provisionedAccounts.size, 1000);
});

t.test("a window of the ledger: the control run's entries end where the candidate's begin, each entry on one side only", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-ledger-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'egress-ledger.jsonl');
  const at = (time: string, account: string): LedgerEntry => ({ ...mail(account, 's'), time });
  const controlStart = '2026-11-01T02:00:00.000Z';
  const candidateStart = '2026-11-01T02:10:00.000Z';
  const entries = [at('2026-11-01T01:59:59.999Z', 'PROBE'), at(controlStart, 'C-FIRST'), at('2026-11-01T02:09:59.999Z', 'C-LAST'), at(candidateStart, 'R-FIRST'), at('2026-11-01T02:20:00.000Z', 'R-LAST')];
  writeFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const accounts = (since: string | undefined, until?: string): string[] => {
    const seen: string[] = [];
    forEachLedgerEntry(file, since, (e) => seen.push(String(e.account)), until);
    return seen;
  };
  t.same(accounts(controlStart, candidateStart), ['C-FIRST', 'C-LAST'], "the control run's: from its start, before the candidate's");
  t.same(accounts(candidateStart), ['R-FIRST', 'R-LAST'], "the candidate's: from its start on");
  t.same(accounts(undefined), ['PROBE', 'C-FIRST', 'C-LAST', 'R-FIRST', 'R-LAST'], 'all of them without a window');
});
