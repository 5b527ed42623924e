import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { ENGAGEIP_SHAPED_TEST_SAMPLES, SAMPLE_PLATFORM_TEST_SAMPLES } from '../helpers/test-samples.js';

function testSources(): string[] {
  return readdirSync(join(PROJECT_ROOT, 'tests'), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => file !== fileURLToPath(import.meta.url));
}

/** `(accounts, seed)` of every call with literal numbers, with where it is. */
function askedFor(source: string, call: RegExp, defaultSeed: number | undefined): { pair: string; where: string }[] {
  return [...source.matchAll(call)].map((m) => ({ pair: `${m[1]},${m[2] ?? defaultSeed}`, where: m[0] }));
}

t.test("every sample a test asks for is one the suite's before step makes", async (t) => {
  const listed = new Set(SAMPLE_PLATFORM_TEST_SAMPLES.map(([a, s]) => `${a},${s}`));
  const listedEngageip = new Set(ENGAGEIP_SHAPED_TEST_SAMPLES.map(([a, s]) => `${a},${s}`));
  const unlisted: string[] = [];
  let calls = 0;
  for (const file of testSources()) {
    const source = readFileSync(file, 'utf8');
    for (const { pair, where } of askedFor(source, /\bmakeSample\((\d+),\s*(\d+)\)/g, undefined)) {
      calls++;
      if (!listed.has(pair)) unlisted.push(`${relative(PROJECT_ROOT, file)}: ${where}`);
    }
    for (const { pair, where } of askedFor(source, /\bmakeEngageipShapedSample\((\d+)(?:,\s*(\d+))?\)/g, 7)) {
      calls++;
      if (!listedEngageip.has(pair)) unlisted.push(`${relative(PROJECT_ROOT, file)}: ${where}`);
    }
  }
  t.ok(calls >= 30, `${calls} calls found: the scan sees the tests' samples`);
  t.same(unlisted, [], 'add these to tests/helpers/test-samples.ts, or use a listed sample');
  t.same(askedFor('makeSample(61, 7) makeEngageipShapedSample(80)', /\bmakeSample\((\d+),\s*(\d+)\)/g, undefined), [{ pair: '61,7', where: 'makeSample(61, 7)' }], 'the scan reads a call');
});
