import { dirname, relative } from 'node:path';
import { existsSync } from 'node:fs';
import { $ } from 'zx';
import { sqliteFiles } from '../plan/sources.js';
import type { Plan } from '../plan/types.js';
import type { Progress } from '../ui/progress.js';
import { ExitCode, UserError } from '../errors.js';
import { PROJECT_ROOT, typescriptCommand } from '../runtime/typescript-process.js';

/** The generator bills in a network namespace of its own: it needs `ip` and `nft` on the PATH, and nothing secret. */
const TOOL_ENVIRONMENT = ['PATH', 'TMPDIR', 'LANG'] as const;

/**
 * For plans with a `sample` block: asks the stand-in platform's own generator (the adapter's) to generate the snapshot
 * and production's result when they are missing. It runs as a separate program, as a vendor's
 * export tool would; the product never reaches into the stand-in's code. The tool decides whether
 * existing files may be reused or replaced, and refuses (exit 2) to replace files it did not make.
 */
export async function ensureSample(plan: Plan, progress: Progress): Promise<string | undefined> {
  const sample = plan.sample;
  if (sample === undefined) return undefined;
  const generator = plan.platform.adapter.generator;
  if (generator === undefined) throw new UserError(`The plan has a \`sample:\` block, but its platform adapter ${plan.platform.adapter.file} has no \`generator\` to make one; remove the block and name an existing snapshot.`);
  const files = sqliteFiles(plan);
  const out = dirname(files.snapshot);
  const args = [
    '--accounts', String(sample.accounts),
    '--seed', String(sample.seed),
    '--bill-date', plan.billRun.date,
    '--out', out,
  ];
  const tool = typescriptCommand(generator, args);
  progress.detail(`${relative(PROJECT_ROOT, generator)} ${args.join(' ')}`);
  const env = Object.fromEntries(TOOL_ENVIRONMENT.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
  const child = $({ nothrow: true, quiet: true, env, stdio: ['ignore', 'pipe', 'pipe'] })`${tool.command} ${tool.args}`;
  const output: string[] = [];
  for await (const line of child) {
    output.push(line);
    if (line.trim() !== '') progress.detail(line);
  }
  const result = await child;
  const said = [...output, ...result.stderr.split('\n')].filter((l) => l.trim() !== '');
  if (result.exitCode === ExitCode.badInput) {
    throw new UserError(`The platform's generator refused to make the sample in ${out}:\n${said.slice(-15).join('\n')}`);
  }
  if (result.exitCode !== 0 || !existsSync(files.snapshot) || !existsSync(files.productionResult)) {
    throw new UserError(`Generating the sample snapshot in ${out} failed (exit ${result.exitCode ?? result.signal}):\n${said.slice(-15).join('\n')}`);
  }
  return `${sample.accounts.toLocaleString('en-US')} accounts, seed ${sample.seed}, in ${out}`;
}
