import t from 'tap';
import { comparePaymentsRecorded } from '../../src/checks/ledger-consistency.js';
import { OutboundRecord } from '../../src/checks/outbound-record.js';
import type { RecordedPaymentRow } from '../../src/platform/rows.js';
import { comparePaymentsRecorded as before } from '../helpers/outbound-before-compaction/payments-recorded.js';
import { seededRandom } from '../helpers/seeded-random.js';

/**
 * `ledger-payments-recorded` keeps both sides in columns instead of a Map of objects per invoice
 * (about 340 MB at a million accounts). It must find exactly what it found before, kept in
 * tests/helpers/outbound-before-compaction/, on random charges and recorded payments that differ in
 * every way the check looks for.
 */
function sides(seed: number): { sent: OutboundRecord; recorded: RecordedPaymentRow[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const sent = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] });
  const recorded: RecordedPaymentRow[] = [];
  const book = (invoice: string, account: string, amount: number): number => recorded.push({ invoice_number: invoice, account_number: account, amount, processor: 'stripe' });
  for (let n = 0; n < 2000; n++) {
    const account = `ACC-${String(n).padStart(6, '0')}`;
    // Invoice numbers out of order, some sharing a prefix, one with a non-Latin-1 character.
    const invoice = n === 7 ? `INV-Ω-${n}` : `INV-2026-11-01-${String((n * 7919) % 2000).padStart(n % 3 === 0 ? 4 : 6, '0')}`;
    const amount = 100 + Math.floor(rnd() * 10_000);
    const roll = rnd();
    const approved = roll > 0.05;
    sent.addCharge({ ...(rnd() < 0.02 ? {} : { account }), invoice, processor: 'stripe', ...(rnd() < 0.01 ? {} : { amountCents: amount }), currency: 'USD', approved });
    if (rnd() < 0.03) sent.addCharge({ account, invoice, processor: 'stripe', amountCents: amount, currency: 'USD', approved: true });
    if (roll < 0.9 && approved) book(invoice, account, amount);
    else if (roll < 0.93) book(invoice, pick([account, 'ACC-999999']), amount + 1);
    else if (roll < 0.95) continue;
    if (rnd() < 0.02) book(`INV-NEVER-CHARGED-${n}`, account, amount);
    if (rnd() < 0.02) book(invoice, account, amount);
  }
  sent.addCharge({ account: 'ACC-NO-INVOICE', processor: 'stripe', amountCents: 5, currency: 'USD', approved: true });
  // The database's order is not the record's.
  recorded.sort((a, b) => (rnd() < 0.5 ? -1 : 1) * (a.amount - b.amount));
  return { sent, recorded };
}

async function* rows(list: readonly RecordedPaymentRow[]): AsyncIterable<RecordedPaymentRow> {
  yield* list;
}

for (const seed of [1, 2, 3, 4, 5]) {
  t.test(`seed ${seed}: finds exactly what it found before`, async (t) => {
    const { sent, recorded } = sides(seed);
    const now = await comparePaymentsRecorded(sent, rows(recorded));
    t.same(now, await before(sent, rows(recorded)));
    t.equal(now.status, 'failed');
    const kinds = new Set(now.sections?.find((s) => s.title === 'Differences by kind')?.rows.map((r) => r.difference));
    for (const kind of ['approved, not recorded as a payment', 'payment recorded without an approval', 'recorded amount differs from the approved charge']) t.ok(kinds.has(kind), `the random sides differ by "${kind}"`);
  });
}

t.test('an exact match passes with both counts', async (t) => {
  const sent = new OutboundRecord({ processorByHost: new Map(), switchTargets: [] });
  sent.addCharge({ account: 'ACC-1', invoice: 'INV-1', processor: 'stripe', amountCents: 1000, currency: 'USD', approved: true });
  sent.addCharge({ account: 'ACC-2', invoice: 'INV-2', processor: 'stripe', amountCents: 2000, currency: 'USD', approved: false });
  const result = await comparePaymentsRecorded(sent, rows([{ invoice_number: 'INV-1', account_number: 'ACC-1', amount: 1000, processor: 'stripe' }]));
  t.equal(result.status, 'passed', result.summary);
  t.match(result.summary, /^1 approved charge\(s\), 1 recorded payment\(s\)/);
});
