import { parseConfigurationItems } from '../../sample-platform/shared/run-configuration.js';

/**
 * The bill-run configuration the stand-in honours (item names are the stand-in's guesses, not
 * EngageIP's): a request carries it as a JSON object in [BillRunRequest].[Configuration], and the
 * run records every item, requested or default, in [BillRunSetting]. Production's runs set
 * `Invoice.ShowServicePeriod`, which is not the default, so a rehearsal that did not apply
 * production's configuration would describe every recurring charge differently.
 */
export const CONFIGURATION_ITEMS = {
  /** `True`: recurring charges name the period they bill (`Voice 500 (2026-11-01 to 2026-12-01)`). */
  'Invoice.ShowServicePeriod': { default: 'False', allowed: ['True', 'False'] },
  /** The description of the tax charge. */
  'Invoice.TaxChargeDescription': { default: 'Sales tax', allowed: undefined },
} as const satisfies Record<string, { default: string; allowed: readonly string[] | undefined }>;

export type ConfigurationItem = keyof typeof CONFIGURATION_ITEMS;

/** Every item with the value the run uses. */
export type RunConfiguration = Readonly<Record<ConfigurationItem, string>>;

/** The run's configuration from the request's JSON text; the message says what is wrong. */
export function parseRunConfiguration(text: string): RunConfiguration {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`[Configuration] is not JSON: ${text.slice(0, 100)}`);
  }
  return parseConfigurationItems(CONFIGURATION_ITEMS, raw, '[Configuration] must be a JSON object of item names to text values');
}
