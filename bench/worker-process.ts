import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, typescriptCommand } from '../src/runtime/typescript-process.js';
import { sweepDeadRuns } from '../src/stages/destroy.js';

/**
 * Runs a bench worker (a TypeScript file under bench/ taking its input as one JSON argument and
 * writing its figures to `input.resultFile`) in its own process, so that its memory and CPU are
 * its own. Ctrl-C stops the worker, which destroys its sandbox. `started` gets the worker's pid
 * (to sample its process tree). Returns the figures, or `fallback` with the reason when the worker
 * wrote none or failed; a worker that died (out of memory, a signal) could not destroy its own
 * sandbox, so runs left under `reportsDir` are swept.
 */
export async function runWorker<Output extends { error?: string }>(
  script: string,
  input: { resultFile: string },
  reportsDir: string,
  fallback: Output,
  started?: (pid: number) => void,
): Promise<Output> {
  const worker = typescriptCommand(join(PROJECT_ROOT, script), [JSON.stringify(input)]);
  const child = spawn(worker.command, worker.args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.pid !== undefined) started?.(child.pid);
  const stopWorker = (): void => void child.kill('SIGTERM');
  process.once('SIGINT', stopWorker);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  }).finally(() => process.removeListener('SIGINT', stopWorker));
  let output = fallback;
  if (existsSync(input.resultFile)) output = JSON.parse(readFileSync(input.resultFile, 'utf8')) as Output;
  if (code === 0) return output;
  await sweepDeadRuns(reportsDir);
  return { ...output, error: `${output.error ?? 'the bench worker failed'} (worker exit code ${code})` };
}
