import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './plan-fixture.js';
import { NODE_TS } from './sample-fixture.js';
import { generateSample } from './sample-cache.js';

export interface EngageipShapedSample {
  readonly dir: string;
  /** The example plan on this sample, with the candidate's switches on and a report folder of its own. */
  plan(name: string, switches?: readonly string[]): string;
  cleanup(): void;
}

/** The EngageIP-shaped stand-in's tool and its arguments for a sample of this size and seed, as the sample cache keys it. */
export function engageipShapedSampleGenerator(accounts: number, seed: number): { command: string[]; args: string[] } {
  return { command: [...NODE_TS, join(PROJECT_ROOT, 'engageip-shaped-platform/scripts/make-sample.ts')], args: ['--accounts', String(accounts), '--seed', String(seed), '--bill-date', '2026-11-01'] };
}

/** A small sample made by the EngageIP-shaped stand-in's own tool, as a user would make it (cached per machine: sample-cache.ts). */
export function makeEngageipShapedSample(accounts: number, seed = 7): EngageipShapedSample {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-engageip-shaped-'));
  const out = join(dir, 'sample');
  const { command, args } = engageipShapedSampleGenerator(accounts, seed);
  generateSample(command, args, out, 110_000);
  return {
    dir,
    plan(name, switches = []) {
      const text = readFileSync(join(PROJECT_ROOT, 'plans/example-engageip-shaped.yaml'), 'utf8')
        .replace(/^sample: .*$/m, '')
        .replaceAll('../samples/engageip-shaped-300/', `${out}/`)
        .replace('../sanitize/engageip-shaped.yaml', join(PROJECT_ROOT, 'sanitize/engageip-shaped.yaml'))
        .replace('faults: []', `faults: [${switches.join(', ')}]`);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `${text}\nreport:\n  dir: ${join(dir, 'reports')}\n`);
      return file;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
