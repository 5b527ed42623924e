import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from './plan-fixture.js';
import { adjustProbes } from './plan-probes.js';

/** Runs a TypeScript entry point as one node process (no tsx wrapper), as the npm scripts do. */
export const NODE_TS = [process.execPath, '--import', import.meta.resolve('tsx')] as const;
export const REHEARSE = join(PROJECT_ROOT, 'scripts/rehearse.ts');

export interface SampleFixture {
  readonly dir: string;
  readonly snapshot: string;
  readonly productionResult: string;
  /** Writes a plan for this sample; `extra` replaces the platform block's faults line. */
  plan(name: string, options?: { faults?: string[]; release?: 'production' | 'candidate'; extraYaml?: string; probes?: boolean }): string;
  /**
   * The same sample copied into a folder of its own (with its own reports folder), so one test can
   * change or damage its files without touching another's, and the sample is generated only once.
   */
  copy(name: string): SampleFixture;
  cleanup(): void;
}

/** Generates a small sample with the sample platform's own tool, as a user would. */
export function makeSample(accounts = 300, seed = 7): SampleFixture {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-sample-'));
  const out = join(dir, 'sample');
  const [node, ...loader] = NODE_TS;
  const made = spawnSync(node, [...loader, join(PROJECT_ROOT, 'sample-platform/scripts/make-sample.ts'), '--accounts', String(accounts), '--seed', String(seed), '--bill-date', '2026-11-01', '--out', out], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`make-sample failed: ${made.stderr}${made.stdout}`);
  return sampleIn(dir, join(out, 'snapshot.db'), join(out, 'production-result.db'));
}

function sampleIn(dir: string, snapshot: string, productionResult: string): SampleFixture {
  return {
    dir,
    snapshot,
    productionResult,
    plan(name, options = {}) {
      const text = adjustProbes(readFileSync(join(PROJECT_ROOT, 'plans/example-local.yaml'), 'utf8'), options.probes === true)
        .replace(/^sample: .*$/m, '')
        .replace('../samples/sample-2000/snapshot.db', snapshot)
        .replace('../samples/sample-2000/production-result.db', productionResult)
        .replace('../samples/sample-2000/production-ledger.jsonl', join(dirname(productionResult), 'production-ledger.jsonl'))
        .replace('../sanitize/sample-platform.yaml', join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'))
        .replace('faults: []', `faults: [${(options.faults ?? []).join(', ')}]`)
        .replace('release: candidate ', `release: ${options.release ?? 'candidate'} `);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `${text}\nreport:\n  dir: ${join(dir, 'reports')}\n${options.extraYaml ?? ''}`);
      return file;
    },
    copy(name) {
      const copyDir = join(dir, name);
      mkdirSync(copyDir);
      copyFileSync(snapshot, join(copyDir, 'snapshot.db'));
      copyFileSync(productionResult, join(copyDir, 'production-result.db'));
      copyFileSync(join(dirname(productionResult), 'production-ledger.jsonl'), join(copyDir, 'production-ledger.jsonl'));
      return sampleIn(copyDir, join(copyDir, 'snapshot.db'), join(copyDir, 'production-result.db'));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A plan for `sample` whose rule set is the sample's own copy of sanitize/. A resume checks that the
 * rule set did not change since the run started, so an edit to sanitize/ while the suite runs must
 * not reach a run that is resumed.
 */
export function planWithOwnRules(sample: SampleFixture, name: string): string {
  const rules = join(sample.dir, 'sanitize');
  if (!existsSync(rules)) cpSync(join(PROJECT_ROOT, 'sanitize'), rules, { recursive: true });
  const plan = sample.plan(name);
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(join(PROJECT_ROOT, 'sanitize'), rules));
  return plan;
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly json: { verdict: string; runId: string; report: string; exitCode: number } | undefined;
}

export function rehearse(args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const [node, ...loader] = NODE_TS;
  const result = spawnSync(node, [...loader, REHEARSE, ...args], { encoding: 'utf8', env, timeout: 240_000 });
  let json: CliRun['json'];
  try {
    json = JSON.parse(result.stdout) as CliRun['json'];
  } catch {
    json = undefined;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

export function readReport(reportMd: string): { verdict: string; checks: { id: string; status: string; summary: string; affectedAccounts?: string[] }[]; stages: { name: string; status: string }[] } {
  const json = join(reportMd, '..', 'report.json');
  if (!existsSync(json)) throw new Error(`no report.json beside ${reportMd}`);
  return JSON.parse(readFileSync(json, 'utf8'));
}
