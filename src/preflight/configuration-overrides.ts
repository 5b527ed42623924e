import type { DatabaseEngine } from '../engine/types.js';
import { UserError } from '../errors.js';
import { resolveBillRunConfiguration } from '../billrun/configuration.js';
import { Profile } from '../platform/profile.js';
import type { Plan } from '../plan/types.js';

/**
 * The plan's configuration overrides against production's result, read only, so an override of
 * an item production's last bill run did not have stops the run before anything is created
 * (exit 2, at the override in the plan). A result the profile cannot read yet is left to the
 * dry run after the restore.
 */
export async function checkConfigurationOverrides(plan: Plan, production: DatabaseEngine, checked: string[], notes: string[]): Promise<void> {
  const overrides = plan.platformOverrides.configuration;
  if (overrides.length === 0) return;
  try {
    await resolveBillRunConfiguration(production, new Profile(plan.platform.adapter), plan.billRun.date, overrides);
  } catch (error) {
    if (error instanceof UserError) throw error;
    notes.push(`bill-run configuration overrides: production's configuration could not be read yet (${(error as Error).message}); checked when the bill run starts`);
    return;
  }
  checked.push(`${overrides.length} bill-run configuration override(s) name items of production's last bill run`);
}
