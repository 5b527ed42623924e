import t from 'tap';
import { checkOutboundMail, checkOutboundMailFolded, type MailReading } from '../../src/checks/outbound-mail.js';
import { hashPair, MailFold, MaskedHashes } from '../../src/checks/outbound-mail-fold.js';
import { checkOutboundPayments } from '../../src/checks/outbound-payments.js';
import { checkOutboundProvisioning } from '../../src/checks/outbound-provisioning.js';
import { OutboundKeys, OutboundRecord, type ChargeSent, type MailKeeping, type SideNaming } from '../../src/checks/outbound-record.js';
import { Attribution } from '../../src/sinkholes/attribution.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';
import { IntegerMap, StringColumn, StringIds } from '../../src/compact/columns.js';
import { checkOutboundMail as oldMail } from '../helpers/outbound-before-compaction/outbound-mail.js';
import { checkOutboundPayments as oldPayments } from '../helpers/outbound-before-compaction/outbound-payments.js';
import { checkOutboundProvisioning as oldProvisioning } from '../helpers/outbound-before-compaction/outbound-provisioning.js';
import { OutboundRecord as OldRecord } from '../helpers/outbound-before-compaction/outbound-record.js';
import type { ChargeEligibilityRow } from '../../src/platform/rows.js';
import type { LedgerEntry } from '../../src/sinkholes/ledger.js';
import { seededRandom } from '../helpers/seeded-random.js';

/**
 * The outbound record keeps what was sent in columns instead of objects per message. The checks
 * must find exactly what they found before: the code as it was before that change is kept in
 * tests/helpers/outbound-before-compaction/, and both run on the same random ledgers, production's
 * and a rehearsal's that differs from it in every way the checks look for.
 */


const PRODUCTION: SideNaming = { attribution: new Attribution(SAMPLE_ADAPTER.outbound), processorByHost: new Map([['api.stripe.com', 'stripe'], ['gw.paypal.example', 'paypal']]), switchTargets: ['192.0.2.10:2208', '192.0.2.11:5060'] };
const REHEARSAL: SideNaming = { attribution: new Attribution(SAMPLE_ADAPTER.outbound), processorByHost: new Map([['api.stripe.com', 'stripe'], ['gw.paypal.example', 'paypal']]), switchTargets: ['switch.sinkhole.rehearsal.invalid:2208', 'switch.sinkhole.rehearsal.invalid:5060'] };
const base = { time: '2026-11-01T00:00:01.000Z', peer: { address: '127.0.0.1', port: 40000 } };
/** Addresses in Latin-1, beyond it, and with a lone surrogate: stored exactly either way. */
const ODD_ADDRESSES = ['[bracketed]@x.example', 'zoë@bücher.example', '日本@例え.example', 'lone\ud800@x.example', 'a,b@x.example'];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

/** Production's ledger: mail, charges and provisioning for `accounts` accounts, with the odd cases a ledger can hold. */
function productionLedger(rnd: () => number, accounts: number): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (let n = 0; n < accounts; n++) {
    const account = `ACC-${String(n).padStart(6, '0')}`;
    const invoice = `INV-2026-11-01-${account}`;
    const attributed = rnd() < 0.97 ? { account } : {};
    const to = rnd() < 0.05 ? [pick(rnd, ODD_ADDRESSES)] : rnd() < 0.1 ? [`B${n}@x.example`, `a${n}@x.example`] : [`c${n}@x.example`];
    const subject = rnd() < 0.9 ? `Invoice ${invoice}` : rnd() < 0.5 ? `Statement for ${n} days` : 'Reminder: 3 invoices overdue';
    entries.push({ ...base, kind: 'mail', ...attributed, destination: { host: 'mail', address: '127.77.0.2', port: 25, protocol: 'tcp' }, from: 'billing@x', to, subject, sizeBytes: 400 });
    if (rnd() < 0.5) {
      entries.push({
        ...base,
        kind: 'payment',
        ...(rnd() < 0.97 ? { account } : {}),
        ...(rnd() < 0.95 ? { invoice } : {}),
        destination: { host: pick(rnd, ['api.stripe.com', 'gw.paypal.example', 'unknown.example']), address: '127.77.0.3', port: 443, protocol: 'tcp' },
        method: 'POST',
        path: '/v1/charges',
        ...(rnd() < 0.95 ? { amountCents: Math.floor(rnd() * 100_000) } : {}),
        ...(rnd() < 0.9 ? { currency: pick(rnd, ['USD', 'usd', 'EUR']) } : {}),
        approved: rnd() < 0.9,
        transactionId: `tx${n}`,
      });
    }
    const requests = rnd() < 0.3 ? 1 + Math.floor(rnd() * 3) : 0;
    for (let i = 0; i < requests; i++) {
      const line = `${pick(rnd, ['PROVISION', 'MODIFY'])} account=${account} package=${pick(rnd, ['VOICE', 'INSTALL', 'DATA'])} action=${pick(rnd, ['activate', 'suspend'])} number=555${n}`;
      const bytes = Buffer.from(`${line}\n`, 'latin1');
      const [host, port] = pick(rnd, [['192.0.2.10', 2208], ['192.0.2.11', 5060], ['198.51.100.7', 2208]] as const);
      entries.push({ ...base, kind: 'provisioning', ...(rnd() < 0.98 ? { account } : {}), destination: { host, address: host, port, protocol: 'tcp' }, service: 'switch', firstBytes: { length: bytes.length, hex: bytes.toString('hex'), text: line } });
    }
  }
  return entries;
}

/** The rehearsal's ledger: production's, with entries dropped, repeated, redirected and altered. */
function rehearsalLedger(rnd: () => number, production: readonly LedgerEntry[]): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const entry of production) {
    const roll = rnd();
    if (roll < 0.03) continue;
    let copy: LedgerEntry = entry.kind === 'provisioning' ? { ...entry, destination: { ...entry.destination, host: entry.destination.host.startsWith('192.0.2.') ? 'switch.sinkhole.rehearsal.invalid' : entry.destination.host } } : { ...entry };
    if (copy.kind === 'mail' && roll < 0.08) copy = { ...copy, to: rnd() < 0.5 ? ['billing@x.example'] : [...copy.to, 'extra@x.example'] };
    if (copy.kind === 'mail' && roll > 0.97) copy = { ...copy, subject: 'Statement INV-2026-11-01-ACC-000001' };
    if (copy.kind === 'payment' && roll < 0.1) copy = { ...copy, ...(rnd() < 0.5 ? { amountCents: (copy.amountCents ?? 0) + 1 } : { currency: 'GBP' }) };
    if (copy.kind === 'provisioning' && roll < 0.1) {
      const line = Buffer.from(copy.firstBytes.hex, 'hex').toString('latin1').replace('activate', 'suspend');
      copy = { ...copy, firstBytes: { ...copy.firstBytes, hex: Buffer.from(line, 'latin1').toString('hex') } };
    }
    out.push(copy);
    if (roll > 0.985) out.push(copy);
  }
  return out;
}

/** Both generations of the record, from the same entries. */
function records(naming: SideNaming, entries: readonly LedgerEntry[], keys: OutboundKeys): { now: OutboundRecord; before: OldRecord } {
  const now = new OutboundRecord(naming, keys);
  const before = new OldRecord(naming);
  for (const entry of entries) {
    now.add(entry);
    before.add(entry);
  }
  return { now, before };
}

function eligibility(rnd: () => number, accounts: number): ChargeEligibilityRow[] {
  return Array.from({ length: accounts }, (_, n) => {
    const account = `ACC-${String(n).padStart(6, '0')}`;
    return { account_number: account, invoice_number: `INV-2026-11-01-${account}`, ineligible: rnd() < 0.1 ? 'auto-pay is off' : null, card_last4: null } as ChargeEligibilityRow;
  });
}

async function* rows(list: readonly ChargeEligibilityRow[]): AsyncIterable<ChargeEligibilityRow> {
  yield* list;
}


/** A charge as the code before compaction kept it: the request's endpoint and form were added later. */
function asBefore(charge: ChargeSent): Omit<ChargeSent, 'endpoint' | 'form'> {
  const { endpoint: _endpoint, form: _form, ...rest } = charge;
  return rest;
}
for (const seed of [1, 2, 3]) {
  t.test(`seed ${seed}: every outbound check finds exactly what it found before, on the same ledgers`, async (t) => {
    const rnd = seededRandom(seed);
    const accounts = 1500;
    const productionEntries = productionLedger(rnd, accounts);
    const rehearsalEntries = rehearsalLedger(rnd, productionEntries);
    const keys = new OutboundKeys();
    const production = records(PRODUCTION, productionEntries, keys);
    const rehearsal = records(REHEARSAL, rehearsalEntries, keys);
    // The masked form of an address, as the rehearsal copy would hold it.
    const masked = new Map<string, Set<string>>();
    for (const entry of productionEntries) if (entry.kind === 'mail') for (const to of entry.to) masked.set(to.toLowerCase(), new Set([to.toLowerCase()]));
    const rules = eligibility(rnd, accounts);

    const mail = checkOutboundMail(rehearsal.now, production.now, masked, true);
    t.same(mail, oldMail(rehearsal.before, production.before, masked, true), 'outbound-mail');
    t.equal(mail.status, 'failed', 'the rehearsal differs, so the comparison is not between two passes');
    const payments = await checkOutboundPayments(rehearsal.now, production.now, rows(rules), true);
    t.same(payments, await oldPayments(rehearsal.before, production.before, rows(rules), true), 'outbound-payments');
    t.equal(payments.status, 'failed');
    const provisioning = checkOutboundProvisioning(rehearsal.now, production.now, true);
    t.same(provisioning, oldProvisioning(rehearsal.before, production.before, true), 'outbound-provisioning');
    t.equal(provisioning.status, 'failed');
    t.same(checkOutboundMail(production.now, production.now, masked, true), oldMail(production.before, production.before, masked, true), 'a side against itself');

    production.now.source = 'database';
    production.before.source = 'database';
    t.same(await checkOutboundPayments(rehearsal.now, production.now, rows(rules), true), await oldPayments(rehearsal.before, production.before, rows(rules), true), "against a production whose database is the record");
    t.same(checkOutboundProvisioning(rehearsal.now, production.now, true), oldProvisioning(rehearsal.before, production.before, true));

    // What the ledger-consistency checks read.
    for (const side of [production, rehearsal]) {
      const { now, before } = side;
      t.same(now.mailAccounts().sort(), [...before.mailByAccount.keys()].sort());
      t.ok(now.mailAccounts().every((a) => JSON.stringify(now.mailOf(a)) === JSON.stringify(before.mailByAccount.get(a))), 'every account\'s messages, in ledger order');
      t.same(now.unattributedMail(), before.unattributedMail);
      t.ok(now.chargedInvoices().every((i) => JSON.stringify(now.chargesOf(i).map(asBefore)) === JSON.stringify(before.chargesByInvoice.get(i))), "every invoice's charges, in ledger order");
      t.same(now.chargedInvoices().sort(), [...before.chargesByInvoice.keys()].sort());
      t.same(now.chargesWithoutInvoice().map(asBefore), before.chargesWithoutInvoice);
      t.ok(now.provisionedAccounts().every((a) => JSON.stringify(now.provisioningOf(a)) === JSON.stringify(before.provisioningByAccount.get(a))));
      t.same(now.provisionedAccounts().sort(), [...before.provisioningByAccount.keys()].sort());
      const mailed = new Set([...before.mailByAccount.values(), before.unattributedMail].flat().flatMap((m) => (m.invoice === undefined ? [] : [m.invoice])));
      t.equal(now.mailedInvoiceCount, mailed.size);
      t.ok(rules.every((r) => now.mailedInvoice(r.invoice_number) === mailed.has(r.invoice_number)), 'which invoices have a message');
    }
  });
}

/** What verify runs: mail folded per account, the differing accounts read again. */
async function foldedMail(
  sides: { readonly production: (mail: MailKeeping) => OutboundRecord; readonly rehearsal: (mail: MailKeeping) => OutboundRecord },
  masked: ReadonlyMap<string, ReadonlySet<string>>,
  subjects: boolean,
): Promise<{ result: Awaited<ReturnType<typeof checkOutboundMailFolded>>; rereads: number }> {
  const hashes = new MaskedHashes();
  for (const [address, forms] of masked) for (const form of forms) hashes.add(hashPair(address), hashPair(form));
  const fold = new MailFold(subjects);
  let rereads = 0;
  const reading = (build: (mail: MailKeeping) => OutboundRecord): MailReading => async (mail) => {
    rereads++;
    return build(mail);
  };
  const rehearsal = sides.rehearsal({ kind: 'folded', fold, side: 'rehearsal' });
  const production = sides.production({ kind: 'folded', fold, side: 'production', masked: hashes });
  const result = await checkOutboundMailFolded({ rehearsal, production, fold }, { rehearsal: reading(sides.rehearsal), production: reading(sides.production), masked: async () => masked }, true);
  return { result, rereads };
}

function fromEntries(naming: SideNaming, entries: readonly LedgerEntry[], keys: OutboundKeys): (mail: MailKeeping) => OutboundRecord {
  return (mail) => {
    const record = new OutboundRecord(naming, keys, mail);
    for (const entry of entries) record.add(entry);
    return record;
  };
}

/** Production as its database records it: each message's recipients and invoice, no subject. */
function fromDatabase(entries: readonly LedgerEntry[], keys: OutboundKeys): { build: (mail: MailKeeping) => OutboundRecord; before: OldRecord } {
  const mail = entries.flatMap((e) => (e.kind === 'mail' ? [{ account: e.account, to: e.to.map((a) => a.toLowerCase()).sort(), invoice: /INV-[\w-]+/.exec(e.subject)?.[0] }] : []));
  const before = new OldRecord(PRODUCTION);
  before.source = 'database';
  for (const m of mail) {
    const message = { to: m.to, ...(m.invoice !== undefined ? { invoice: m.invoice } : {}) };
    if (m.account === undefined) before.unattributedMail.push(message);
    else before.mailByAccount.set(m.account, [...(before.mailByAccount.get(m.account) ?? []), message]);
  }
  const build = (keeping: MailKeeping): OutboundRecord => {
    const record = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] }, keys, keeping);
    record.source = 'database';
    for (const m of mail) record.addMail(m.account, { to: m.to, ...(m.invoice !== undefined ? { invoice: m.invoice } : {}) });
    return record;
  };
  return { build, before };
}

for (const seed of [4, 5]) {
  t.test(`seed ${seed}: mail folded per account finds exactly what the message-by-message comparison found`, async (t) => {
    const rnd = seededRandom(seed);
    const accounts = 1500;
    const productionEntries = productionLedger(rnd, accounts);
    const rehearsalEntries = rehearsalLedger(rnd, productionEntries);
    // Masked forms as sanitize leaves them: most addresses one form, some none (no contact), some two (contacts masked apart).
    const masked = new Map<string, Set<string>>();
    for (const entry of productionEntries) {
      if (entry.kind !== 'mail') continue;
      for (const to of entry.to.map((a) => a.toLowerCase())) {
        const roll = rnd();
        if (roll < 0.01) continue;
        masked.set(to, new Set(roll > 0.99 ? [to, `other-${to}`] : [to]));
      }
    }
    const keys = new OutboundKeys();
    const before = { production: new OldRecord(PRODUCTION), rehearsal: new OldRecord(REHEARSAL) };
    productionEntries.forEach((e) => before.production.add(e));
    rehearsalEntries.forEach((e) => before.rehearsal.add(e));
    const sides = { production: fromEntries(PRODUCTION, productionEntries, keys), rehearsal: fromEntries(REHEARSAL, rehearsalEntries, keys) };

    const folded = await foldedMail(sides, masked, true);
    t.same(folded.result, oldMail(before.rehearsal, before.production, masked, true), 'against production\'s ledger');
    t.equal(folded.result.status, 'failed');
    t.equal(folded.rereads, 2, 'the differing accounts are read again from both sides');

    const database = fromDatabase(productionEntries, keys);
    const againstDatabase = await foldedMail({ production: database.build, rehearsal: sides.rehearsal }, masked, false);
    t.same(againstDatabase.result, oldMail(before.rehearsal, database.before, masked, true), 'against what production\'s database recorded: no subjects');

    const identity = new Map([...masked].map(([address]) => [address, new Set([address])]));
    const same = await foldedMail({ production: sides.production, rehearsal: sides.production }, identity, true);
    t.same(same.result, oldMail(before.production, before.production, identity, true), 'a side against itself');
    t.equal(same.result.status, 'failed', 'addresses no contact holds differ even from themselves');
  });
}

t.test('a GO reads neither ledger twice', async (t) => {
  const keys = new OutboundKeys();
  const entries = productionLedger(seededRandom(6), 200).filter((e) => e.kind !== 'mail' || e.to.every((a) => !ODD_ADDRESSES.includes(a)));
  const masked = new Map(entries.flatMap((e) => (e.kind === 'mail' ? e.to.map((a) => [a.toLowerCase(), new Set([a.toLowerCase()])] as const) : [])));
  const side = fromEntries(PRODUCTION, entries, keys);
  const { result, rereads } = await foldedMail({ production: side, rehearsal: side }, masked, true);
  t.equal(result.status, 'passed', result.summary);
  t.equal(rereads, 0);
  t.throws(() => side({ kind: 'folded', fold: new MailFold(true), side: 'rehearsal' }).mailOf('ACC-000001'), /folded/, 'a folded record has no messages to give');
});

t.test('strings come back exactly as stored, and interning finds each once', async (t) => {
  // Longer than a page of the column (1 MB), in Latin-1 and in UTF-16.
  const values = ['', 'ACC-000001', 'zoë', '日本', 'lone\ud800', '\udfff\ud800', 'x'.repeat(70_000), 'ÿ', 'y'.repeat(3_000_000), '日'.repeat(600_000), 'after the long ones'];
  const column = new StringColumn();
  const ids = new StringIds();
  const pushed = values.map((v) => column.push(v));
  t.same(pushed.map((i) => column.get(i)), values);
  const ordered = [...values, 'ACC-10', 'ACC-2', 'ACC-1', 'ACC-1\u00e9', 'ACC-1\u0100'];
  const orderedIds = ordered.map((v) => column.push(v));
  t.same(
    orderedIds.sort((a, b) => column.compare(a, b)).map((i) => column.get(i)),
    [...ordered].sort(),
    'ordered in place as JS orders strings, Latin-1 and UTF-16 alike',
  );
  const first = values.map((v) => ids.intern(v));
  t.same(first, values.map((_, i) => i), 'numbered in the order first seen');
  t.same(values.map((v) => ids.intern(v)), first, 'the same id the second time');
  t.equal(ids.find('never'), -1);
  for (let n = 0; n < 5000; n++) ids.intern(`ACC-${n}`);
  t.equal(ids.find('ACC-4321'), values.length + 4321, 'found again after the table grew');
  t.equal(ids.get(ids.find('lone\ud800')), 'lone\ud800');
});

t.test("a production address masked two ways, or by no contact, has no single form: its account is compared message by message", async (t) => {
  const masked = new MaskedHashes();
  masked.add(hashPair('ada@x.example'), hashPair('m1@r.invalid'));
  masked.add(hashPair('ada@x.example'), hashPair('m1@r.invalid'));
  masked.add(hashPair('bob@x.example'), hashPair('m2@r.invalid'));
  masked.add(hashPair('bob@x.example'), hashPair('m3@r.invalid'));
  t.same(masked.formOf('ada@x.example'), hashPair('m1@r.invalid'), 'the same form twice is one form');
  t.equal(masked.formOf('bob@x.example'), undefined);
  t.equal(masked.formOf('carol@x.example'), undefined);
  const keys = new OutboundKeys();
  const fold = new MailFold(true);
  const account = keys.accounts.intern('ACC-000001');
  fold.addProduction(account, ['bob@x.example'], 'Invoice <invoice>', masked);
  fold.addRehearsal(account, ['m2@r.invalid'], 'Invoice <invoice>');
  t.same(fold.differing(), [account]);
  const other = keys.accounts.intern('ACC-000002');
  fold.addProduction(other, ['ada@x.example'], 'Invoice <invoice>', masked);
  fold.addRehearsal(other, ['m1@r.invalid'], 'Invoice <invoice>');
  t.same(fold.differing(), [account], 'an account mailed the masked form folds to nothing');
});

t.test('numbers map to ids as a Map would: large, negative and colliding keys, values replaced, misses are -1', async (t) => {
  const map = new IntegerMap();
  const reference = new Map<number, number>();
  const keys = [0, 1, -1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, 1024, 2048, 4096, ...Array.from({ length: 5000 }, (_, i) => i * 1024 + 7)];
  keys.forEach((key, i) => {
    map.set(key, i);
    reference.set(key, i);
  });
  map.set(1024, 99);
  reference.set(1024, 99);
  t.equal(map.size, reference.size);
  t.ok([...reference].every(([key, value]) => map.get(key) === value), 'every key finds its value');
  t.equal(map.get(5), -1);
  t.equal(map.get(2 ** 40 + 4), -1);
  t.throws(() => map.set(1, -1), RangeError);
});
