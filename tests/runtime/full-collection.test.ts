import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbageNow } from '../../src/runtime/full-collection.js';

const MB = 1024 * 1024;

/**
 * Allocates and drops `megabytes` of typed array in a frame of its own, as a finished stage does
 * (a value left in the caller's registers would keep it alive); returns what was held meanwhile.
 */
function allocateAndDrop(megabytes: number): number {
  const array = new Uint8Array(megabytes * MB).fill(1);
  const held = process.memoryUsage().arrayBuffers;
  // Read after the measurement, so the array is still alive when it is taken.
  return array.length > 0 ? held : 0;
}

/** V8 may free a collected array's memory on a background thread after the collection: polled, with a deadline. */
async function arrayBuffersFellTo(limit: number, deadlineMs = 5000): Promise<number> {
  const until = Date.now() + deadlineMs;
  let now = process.memoryUsage().arrayBuffers;
  while (now > limit && Date.now() < until) {
    await sleep(10);
    now = process.memoryUsage().arrayBuffers;
  }
  return now;
}

t.test('dropped typed arrays are given back on every call, with no global gc left behind', async (t) => {
  for (const megabytes of [64, 32]) {
    const held = allocateAndDrop(megabytes);
    collectGarbageNow();
    const after = await arrayBuffersFellTo(held - megabytes * MB);
    t.ok(held - after >= megabytes * MB, `${megabytes} MB dropped, array buffers fell by ${((held - after) / MB).toFixed(1)} MB`);
  }
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});
