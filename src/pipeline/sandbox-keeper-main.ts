// Entry point of the sandbox keeper process started by `rehearse up` (see sandbox-keeper.ts).
import { loadPlan } from '../plan/load.js';
import { openRunFolder } from '../run/run-folder.js';
import { UserError } from '../errors.js';
import { keepSandbox } from './sandbox-keeper.js';

const [planFile, runDir] = process.argv.slice(2);
if (planFile === undefined || runDir === undefined) {
  process.stderr.write('usage: sandbox-keeper-main.ts <plan> <run folder>\n');
  process.exit(2);
}
try {
  const plan = loadPlan(planFile);
  await keepSandbox(plan, openRunFolder(plan.report.dir, runDir), (record) => process.stdout.write(`READY ${JSON.stringify(record)}\n`));
} catch (error) {
  const exitCode = error instanceof UserError ? error.exitCode : 2;
  process.stdout.write(`FAILED ${JSON.stringify({ message: error instanceof Error ? error.message : String(error), exitCode })}\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = exitCode;
}
