import type { DatabaseEngine } from '../engine/types.js';
import { gatewaySettings, parseProvisioningTargets, provisioningTargetsSetting, type GatewaySettingRow, type SettingRow } from '../profiles/sample-platform.js';
import type { SideNaming } from './outbound-record.js';

const PROCESSOR_KEY = /^gateway\.([^.]+)\.url$/;

/** How one database's settings name its processors and switches (hosts differ between the sides by design). */
export async function sideNaming(engine: DatabaseEngine): Promise<SideNaming> {
  const processorByHost = new Map<string, string>();
  for (const row of await engine.query<GatewaySettingRow>(gatewaySettings())) {
    const name = PROCESSOR_KEY.exec(row.key)?.[1];
    try {
      if (name !== undefined) processorByHost.set(new URL(row.value).hostname.toLowerCase(), name);
    } catch {
      // A value that is not a URL names no host to recognise.
    }
  }
  const targets = await engine.query<SettingRow>(provisioningTargetsSetting());
  return { processorByHost, switchTargets: parseProvisioningTargets(targets[0]?.value) };
}
