import t from 'tap';
import { awaitBillRun } from '../../sample-platform/control/bill-in-isolation.js';
import type { ControlResponse } from '../../sample-platform/control/client.js';

/** A status the service would report at each poll, from a list; the last one repeats. */
function statuses(list: readonly { state: string; processed: number }[]): () => Promise<ControlResponse> {
  let next = 0;
  return async () => {
    const s = list[Math.min(next++, list.length - 1)] as { state: string; processed: number };
    return { ok: true, state: s.state, processed: s.processed, total: 100 };
  };
}

t.test('a run that keeps billing is waited for past the stall timeout, however long it takes', async (t) => {
  // 40 polls of 10 ms, one account more each time: 400 ms in all, against a stall timeout of 100 ms.
  const progress = Array.from({ length: 40 }, (_, i) => ({ state: 'running', processed: i }));
  const seen: number[] = [];
  const { status, stalledMs } = await awaitBillRun(statuses([...progress, { state: 'completed', processed: 100 }]), { stallTimeoutMs: 100, pollMs: 10, onProgress: (p) => seen.push(p) });
  t.equal(status.state, 'completed');
  t.equal(stalledMs, undefined, 'not taken as stuck');
  t.equal(seen.length, 40, 'progress reported at every poll');
});

t.test('a run that stops billing is given up on once nothing moved for the stall timeout', async (t) => {
  const started = Date.now();
  const { status, stalledMs } = await awaitBillRun(statuses([{ state: 'running', processed: 0 }, { state: 'running', processed: 5 }, { state: 'running', processed: 7 }]), { stallTimeoutMs: 150, pollMs: 10 });
  t.equal(status.state, 'running');
  t.equal(status.processed, 7, 'the last status is returned');
  t.ok(stalledMs !== undefined && stalledMs >= 150, `stalled for ${stalledMs} ms`);
  t.ok(Date.now() - started < 2000, 'and not waited for any longer');
});
