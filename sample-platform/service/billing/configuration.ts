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

export const DEFAULT_CONFIGURATION: RunConfiguration = Object.fromEntries(
  Object.entries(CONFIGURATION_ITEMS).map(([name, item]) => [name, item.default]),
) as RunConfiguration;

/** The run's configuration from `configure`'s `settings` object; the message says what is wrong. */
export function parseRunConfiguration(raw: unknown): RunConfiguration {
  if (raw === undefined) return DEFAULT_CONFIGURATION;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('"settings" must be an object of item names to text values');
  const configuration: Record<string, string> = { ...DEFAULT_CONFIGURATION };
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!Object.hasOwn(CONFIGURATION_ITEMS, name)) {
      throw new Error(`unknown bill-run configuration item "${name}"; this release knows ${Object.keys(CONFIGURATION_ITEMS).join(', ')}`);
    }
    const allowed: readonly string[] | undefined = CONFIGURATION_ITEMS[name as ConfigurationItem].allowed;
    if (typeof value !== 'string' || (allowed !== undefined && !allowed.includes(value))) {
      throw new Error(`bill-run configuration item "${name}" must be ${allowed !== undefined ? allowed.map((a) => `"${a}"`).join(' or ') : 'text'}, not ${JSON.stringify(value)}`);
    }
    configuration[name] = value;
  }
  return configuration as RunConfiguration;
}
