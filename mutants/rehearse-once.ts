import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { $ } from 'zx';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import type { RehearsalVerdict } from './outcome.js';

const REHEARSE = join(PROJECT_ROOT, 'scripts/rehearse.ts');

interface ReportJson {
  readonly verdict: string;
  readonly checks: readonly { id: string; status: string }[];
  readonly stages: readonly { name: string; status: string }[];
}

/** Runs `rehearse <args>` as a user would; the exit code is the CLI's, the output its own. */
async function rehearse(args: readonly string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const result = await $({ nothrow: true, quiet: true, cwd: PROJECT_ROOT })`${process.execPath} --import tsx ${REHEARSE} ${args}`;
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Generates the sample the plan names (the product asks the sample tool, as `rehearse all` would). */
export async function ensureSample(plan: string): Promise<void> {
  const made = await rehearse(['sample', plan]);
  if (made.exitCode !== 0) throw new Error(`rehearse sample ${plan} exited ${made.exitCode}:\n${made.stderr.trim()}`);
}

/** One whole rehearsal of the plan; what its report says, or the CLI's failure as a failed stage. */
export async function rehearseVerdict(plan: string): Promise<RehearsalVerdict> {
  const run = await rehearse(['--json', 'all', '--fresh', plan]);
  let reportMd: string | undefined;
  try {
    reportMd = (JSON.parse(run.stdout) as { report?: string }).report;
  } catch {
    reportMd = undefined;
  }
  const reportJson = reportMd === undefined ? undefined : join(dirname(reportMd), 'report.json');
  if (reportJson === undefined || !existsSync(reportJson)) {
    const last = run.stderr.trim().split('\n').slice(-3).join(' ');
    return { verdict: 'NONE', failedChecks: [], failedStages: [`rehearse exited ${run.exitCode} without a report: ${last}`] };
  }
  const report = JSON.parse(readFileSync(reportJson, 'utf8')) as ReportJson;
  return {
    verdict: report.verdict,
    failedChecks: report.checks.filter((c) => c.status === 'failed').map((c) => c.id),
    failedStages: report.stages.filter((s) => s.status === 'failed').map((s) => s.name),
  };
}
