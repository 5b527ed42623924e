import type { CheckResult } from '../checks/types.js';
import { SafetyError, UserError } from '../errors.js';
import type { PlatformAdapter } from './types.js';
import { runStep } from './drivers/step.js';

const SERVICE_STEP_SECONDS = 60;

/**
 * Before the bill run: every other service the adapter lists (job scheduler, event manager,
 * provisioning workers) is stopped with its `stop` command and asked its `state` (exit 0: still
 * running), inside the sandbox. One still running stops the run: it could bill, mail or
 * provision on its own. The result lists each service and its state; undefined when there are none.
 */
export async function stopOtherServices(adapter: PlatformAdapter, prefix: readonly string[], env: Readonly<Record<string, string>>): Promise<CheckResult | undefined> {
  if (adapter.services.length === 0) return undefined;
  if (adapter.driver.kind === 'ssm') throw new UserError(`The services of ${adapter.file} are stopped through AWS Systems Manager, which runs only on the AWS target.`);
  const rows: Record<string, string>[] = [];
  for (const service of adapter.services) {
    if (service.stop !== undefined) await runStep(`services.${service.name}.stop`, service.stop, { prefix, env, timeoutSeconds: SERVICE_STEP_SECONDS });
    let state = 'no state command: assumed stopped';
    if (service.state !== undefined) {
      const running = await runStep(`services.${service.name}.state`, service.state, { prefix, env, timeoutSeconds: SERVICE_STEP_SECONDS }).then(
        () => true,
        () => false,
      );
      state = running ? 'running' : 'stopped';
    }
    rows.push({ service: service.name, why: service.why, state });
  }
  const running = rows.filter((r) => r.state === 'running');
  const result: CheckResult = {
    id: 'platform-services',
    title: "The platform's other services are stopped during the bill run",
    status: running.length > 0 ? 'failed' : 'passed',
    summary: running.length > 0 ? `still running after their stop command: ${running.map((r) => r.service).join(', ')}` : `${rows.length} service(s) kept stopped: ${rows.map((r) => r.service).join(', ')}`,
    evidence: rows,
  };
  if (running.length > 0) throw Object.assign(new SafetyError(`Refusing to start the bill run: ${result.summary}. They could bill, mail or provision on their own; fix their \`stop\` commands in ${adapter.file}.`), { check: result });
  return result;
}
