import { configurationDefaults, parseConfigurationItems } from '../../shared/run-configuration.js';

/**
 * The bill-run configuration the sample platform honours: items an operator sets for each run
 * (on `configure`), recorded with the run in `bill_run_settings`. An item `configure` leaves out
 * takes its default; production's runs set them, so a rehearsal that did not apply production's
 * configuration would bill differently.
 */
export const CONFIGURATION_ITEMS = {
  /** `true`: recurring invoice lines name the service period they bill (`Voice 500 (2026-11-01 to 2026-12-01)`). */
  'invoice.servicePeriodInDescription': { default: 'false', allowed: ['true', 'false'] },
  /** The text of the tax line before its rate (`Sales tax 8.25%`). */
  'invoice.taxLabel': { default: 'Sales tax', allowed: undefined },
} as const satisfies Record<string, { default: string; allowed: readonly string[] | undefined }>;

export type ConfigurationItem = keyof typeof CONFIGURATION_ITEMS;

/** Every item with the value the run uses, in name order. */
export type RunConfiguration = Readonly<Record<ConfigurationItem, string>>;

export const DEFAULT_CONFIGURATION: RunConfiguration = configurationDefaults(CONFIGURATION_ITEMS);

/** The run's configuration from `configure`'s `settings` object; the message says what is wrong. */
export function parseRunConfiguration(raw: unknown): RunConfiguration {
  if (raw === undefined) return DEFAULT_CONFIGURATION;
  return parseConfigurationItems(CONFIGURATION_ITEMS, raw, '"settings" must be an object of item names to text values');
}
