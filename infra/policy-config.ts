/**
 * Writes the policy pack's configuration from the plan, so the policies check the switch networks,
 * egress policy and release candidate the plan declares (the one source) and need no resource to
 * exist to know them: `node --import tsx infra/policy-config.ts <plan> > policy/config.<rc>.json`.
 */
import { pathToFileURL } from 'node:url';
import { UserError } from '../src/errors.js';
import { loadPlan } from '../src/plan/load.js';
import type { Plan } from '../src/plan/types.js';

export function policyConfigFromPlan(plan: Pick<Plan, 'releaseCandidate' | 'egress'>): Record<string, object> {
  const egressPolicy = plan.egress.policy;
  return {
    'no-internet-path': { egressPolicy },
    'no-route-to-switch-networks': { switchCidrs: [...plan.egress.switchCidrs], egressPolicy },
    'tagged-with-release-candidate': { releaseCandidate: plan.releaseCandidate.id },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const planFile = process.argv[2];
    if (planFile === undefined) throw new UserError('Usage: node --import tsx infra/policy-config.ts <plan.yaml>  (prints the policy pack configuration as JSON)');
    process.stdout.write(`${JSON.stringify(policyConfigFromPlan(loadPlan(planFile)), null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof UserError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = error instanceof UserError ? 2 : 1;
  }
}
