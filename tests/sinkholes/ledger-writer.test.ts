import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerWriter, readLedger, type LedgerEntry } from '../../src/sinkholes/ledger.js';

const switchEntry = (port: number): LedgerEntry => ({
  kind: 'provisioning',
  time: '2026-11-01T00:00:00.000Z',
  destination: { host: '192.0.2.10', address: '192.0.2.10', port, protocol: 'tcp' },
  peer: { address: '127.0.0.1', port: 40000 + port },
  service: 'switch',
  firstBytes: { length: 1, hex: '41', text: 'A' },
});

function tempLedger(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-ledger-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'ledger.jsonl');
}

t.test('an answer held for the ledger runs only once its entry is in the file, and every entry of one turn is written', async (t) => {
  const file = tempLedger(t);
  const writer = new LedgerWriter(file);
  const seenAtAnswer: number[] = [];
  const answered = new Promise<void>((resolve) => {
    for (let port = 1; port <= 3; port++) {
      writer.appendThenAnswer(switchEntry(port), () => {
        seenAtAnswer.push(readLedger(file).length);
        if (port === 3) resolve();
      });
    }
  });
  t.same(readLedger(file), [], 'nothing is answered, so nothing needs to be written yet');
  await answered;
  t.same(seenAtAnswer, [3, 3, 3], 'each answer saw all three entries already written');
  t.same(readLedger(file).map((e) => e.destination.port), [1, 2, 3], 'in the order they came');
});

t.test('an answer given with its argument gets that argument, once its entry is written', async (t) => {
  const file = tempLedger(t);
  const writer = new LedgerWriter(file);
  const answers: { port: number; written: number }[] = [];
  const record = (port: number): void => void answers.push({ port, written: readLedger(file).length });
  await new Promise<void>((resolve) => {
    writer.appendThenAnswer(switchEntry(1), record, 1);
    writer.appendThenAnswer(switchEntry(2), () => resolve());
    writer.appendThenAnswer(switchEntry(3), record, 3);
  });
  // The answers of one write run in one loop, so the third has run by the time the second's promise settles.
  t.same(answers, [{ port: 1, written: 3 }, { port: 3, written: 3 }], 'each its own argument, in order, after all three were written');
});

t.test('a synchronous append writes the held entries first, so the file keeps the order they came in', async (t) => {
  const file = tempLedger(t);
  const writer = new LedgerWriter(file);
  const answered = new Promise<void>((resolve) => writer.appendThenAnswer(switchEntry(1), resolve));
  writer.append(switchEntry(2));
  t.same(readLedger(file).map((e) => e.destination.port), [1, 2], 'both are in the file before the held answer runs');
  await answered;
  t.equal(readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length, 2, 'the held entry is not written twice');
});
