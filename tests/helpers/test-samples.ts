/**
 * Every generated sample the test files share, as (accounts, seed): the suite's `before` step
 * (tests/setup/generate-samples.ts) makes the missing ones before any file starts, and
 * tests/architecture/test-samples.test.ts fails when a test asks for one that is not listed here.
 * Each distinct sample is a generation and a production bill run on a fresh machine: prefer one
 * already listed, `makeSample(60, 7)` when no particular account matters.
 */
export const SAMPLE_PLATFORM_TEST_SAMPLES: readonly (readonly [accounts: number, seed: number])[] = [
  [60, 7],
  [60, 5],
  [100, 17],
  [120, 4],
  [120, 7],
  [150, 5],
  [200, 7],
  [300, 11],
];

export const ENGAGEIP_SHAPED_TEST_SAMPLES: readonly (readonly [accounts: number, seed: number])[] = [[80, 7]];
