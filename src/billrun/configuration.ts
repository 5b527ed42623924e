import type { CheckResult } from '../checks/types.js';
import { notConfigured } from '../checks/not-configured.js';
import type { DatabaseEngine } from '../engine/types.js';
import { UserError } from '../errors.js';
import type { Profile } from '../platform/profile.js';
import type { ConfigurationOverride } from '../plan/types.js';

/** One configuration item as production's last bill run had it and as the rehearsal's runs with it. */
export interface ConfigurationItem {
  readonly item: string;
  readonly production: string | null;
  readonly rehearsal: string | null;
  /** The plan's reason, when the plan overrides production's value. */
  readonly overrideReason?: string;
}

export interface ResolvedConfiguration {
  /** Name → value the driver's configure step applies; empty when the adapter has no such concept. */
  readonly settings: Readonly<Record<string, string>>;
  readonly items: readonly ConfigurationItem[];
  /** What the report shows: production's and the rehearsal's configuration side by side. */
  readonly check: CheckResult;
}

const BASE = { id: 'bill-run-configuration', title: "The bill run is configured as production's last bill run was, apart from the plan's overrides" } as const;

/**
 * Reads the configuration of production's last bill run from production's result (concept
 * `billRunConfiguration`) and lays the plan's overrides over it. An override of an item
 * production's run did not have is refused (exit 2, the plan's file:line:column): it would
 * silently configure nothing. Without the concept nothing is read; overrides are still applied.
 */
export async function resolveBillRunConfiguration(production: DatabaseEngine, profile: Profile, billDate: string, overrides: readonly ConfigurationOverride[]): Promise<ResolvedConfiguration> {
  const unconfigured = notConfigured(profile, BASE, ['billRunConfiguration']);
  if (unconfigured !== undefined) {
    const settings = Object.fromEntries(overrides.map((o) => [o.item, o.value]));
    const items = overrides.map((o) => ({ item: o.item, production: null, rehearsal: o.value, overrideReason: o.reason }));
    return { settings, items, check: { ...unconfigured, evidence: items.map(evidenceRow) } };
  }
  const rows = await profile.query(production, 'billRunConfiguration', { billDate });
  const productionValues = new Map(rows.map((r) => [r.name, r.value]));
  const unknown = overrides.filter((o) => !productionValues.has(o.item));
  if (unknown.length > 0) {
    throw new UserError(
      unknown
        .map((o) => `${o.at}: production's last bill run up to ${billDate} has no configuration item \`${o.item}\`; it has ${[...productionValues.keys()].join(', ') || 'none'}. Correct the item's name or remove the override.`)
        .join('\n'),
    );
  }
  const byItem = new Map(overrides.map((o) => [o.item, o]));
  const items: ConfigurationItem[] = rows.map((r) => {
    const override = byItem.get(r.name);
    return override === undefined ? { item: r.name, production: r.value, rehearsal: r.value } : { item: r.name, production: r.value, rehearsal: override.value, overrideReason: override.reason };
  });
  const settings: Record<string, string> = {};
  for (const i of items) if (i.rehearsal !== null) settings[i.item] = i.rehearsal;
  const overridden = items.filter((i) => i.overrideReason !== undefined);
  const summary =
    rows.length === 0
      ? `production's result holds no bill-run configuration up to ${billDate}: the platform's defaults apply`
      : `${items.length} item(s) applied as production's last bill run had them${overridden.length > 0 ? `; ${overridden.length} overridden by the plan: ${overridden.map((i) => i.item).join(', ')}` : ''}`;
  return {
    settings,
    items,
    check: { ...BASE, status: rows.length === 0 || overridden.length > 0 ? 'warning' : 'passed', summary, evidence: items.map(evidenceRow) },
  };
}

function evidenceRow(i: ConfigurationItem): Record<string, string> {
  return {
    item: i.item,
    production: i.production ?? '—',
    rehearsal: i.rehearsal ?? '—',
    override: i.overrideReason !== undefined ? 'plan' : '—',
    reason: i.overrideReason ?? '—',
  };
}
