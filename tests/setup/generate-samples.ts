/**
 * tap's `before` step (.taprc): makes every shared test sample missing from the machine's sample
 * cache, two at a time, before the first test file starts. Without it the first files to ask for a
 * sample each made it at once, and waited for it, on a fresh machine or after a source change.
 */
import { engageipShapedSampleGenerator } from '../helpers/engageip-shaped-fixture.js';
import { sampleGenerator } from '../helpers/sample-fixture.js';
import { fillSampleCache } from '../helpers/sample-cache.js';
import { ENGAGEIP_SHAPED_TEST_SAMPLES, SAMPLE_PLATFORM_TEST_SAMPLES } from '../helpers/test-samples.js';

const AT_ONCE = 2;
const TIMEOUT_MS = 110_000;

const queue = [
  ...SAMPLE_PLATFORM_TEST_SAMPLES.map(([accounts, seed]) => sampleGenerator(accounts, seed)),
  ...ENGAGEIP_SHAPED_TEST_SAMPLES.map(([accounts, seed]) => engageipShapedSampleGenerator(accounts, seed)),
];
const failures: string[] = [];
await Promise.all(
  Array.from({ length: AT_ONCE }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      // A sample that cannot be made here is made again, and its failure reported, by the test that asks for it.
      await fillSampleCache(next.command, next.args, TIMEOUT_MS).catch((error: unknown) => failures.push(String(error)));
    }
  }),
);
if (failures.length > 0) process.stderr.write(`test samples not made in advance:\n${failures.join('\n')}\n`);
