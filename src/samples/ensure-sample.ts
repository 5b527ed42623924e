import { sqliteFiles } from '../plan/sources.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Plan } from '../plan/types.js';
import type { Progress } from '../ui/progress.js';
import { UserError } from '../errors.js';
import { PROJECT_ROOT, typescriptCommand } from '../runtime/typescript-process.js';


/**
 * For plans with a `sample` block: asks the sample platform's own tool to generate the snapshot
 * and production's result when they are missing. It runs as a separate program, as a vendor's
 * export tool would; the product never reaches into the stand-in's code.
 */
export async function ensureSample(plan: Plan, progress: Progress): Promise<string | undefined> {
  const sample = plan.sample;
  if (sample === undefined) return undefined;
  const files = sqliteFiles(plan);
  const out = dirname(files.snapshot);
  const args = [
    '--accounts', String(sample.accounts),
    '--seed', String(sample.seed),
    '--bill-date', plan.billRun.date,
    '--out', out,
  ];
  const tool = typescriptCommand(`${PROJECT_ROOT}sample-platform/scripts/make-sample.ts`, args);
  progress.detail(`sample-platform/scripts/make-sample.ts ${args.join(' ')}`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(tool.command, tool.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output.push(text);
      for (const line of text.split('\n').filter((l) => l.trim() !== '')) progress.detail(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0 || !existsSync(files.snapshot) || !existsSync(files.productionResult)) {
    throw new UserError(`Generating the sample snapshot in ${out} failed (exit ${code}):\n${output.join('').split('\n').slice(-15).join('\n')}`);
  }
  return `${sample.accounts.toLocaleString('en-US')} accounts, seed ${sample.seed}, in ${out}`;
}
