/** One bill-run configuration item a stand-in honours: its default and, for a closed set, the values it takes. */
export interface ConfigurationItemSpec {
  readonly default: string;
  readonly allowed: readonly string[] | undefined;
}

type ItemSpecs = Readonly<Record<string, ConfigurationItemSpec>>;

/** Every item with the value a run uses. */
export type ConfigurationValues<Items extends ItemSpecs> = Readonly<Record<keyof Items & string, string>>;

export function configurationDefaults<Items extends ItemSpecs>(items: Items): ConfigurationValues<Items> {
  return Object.fromEntries(Object.entries(items).map(([name, item]) => [name, item.default])) as ConfigurationValues<Items>;
}

/**
 * The run's configuration: every item the object names, over the defaults. An unknown item or a
 * value outside its set is refused, as a release refuses a setting it does not know; `notAnObject`
 * is the message when `raw` is not an object (each stand-in names where it read it from).
 */
export function parseConfigurationItems<Items extends ItemSpecs>(items: Items, raw: unknown, notAnObject: string): ConfigurationValues<Items> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(notAnObject);
  const configuration: Record<string, string> = { ...configurationDefaults(items) };
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!Object.hasOwn(items, name)) {
      throw new Error(`unknown bill-run configuration item "${name}"; this release knows ${Object.keys(items).join(', ')}`);
    }
    const allowed = items[name]?.allowed;
    if (typeof value !== 'string' || (allowed !== undefined && !allowed.includes(value))) {
      throw new Error(`bill-run configuration item "${name}" must be ${allowed !== undefined ? allowed.map((a) => `"${a}"`).join(' or ') : 'text'}, not ${JSON.stringify(value)}`);
    }
    configuration[name] = value;
  }
  return configuration as ConfigurationValues<Items>;
}
