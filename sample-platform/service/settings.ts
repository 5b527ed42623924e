import type { PlatformDatabase } from './database/port.js';
import { STATEMENTS as S } from './statements.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface Gateway {
  readonly url: string;
  readonly apiKey: string;
}

/** What the bill run reads from the platform's settings table; the only place hosts come from. */
export interface PlatformSettings {
  readonly smtp: Endpoint & { readonly from: string };
  readonly taxRateBp: number;
  readonly currency: string;
  readonly gateways: ReadonlyMap<string, Gateway>;
  readonly provisioningHosts: readonly Endpoint[];
}

export async function readSettings(db: PlatformDatabase): Promise<PlatformSettings> {
  const rows = await db.all<{ key: string; value: string }>(S.settings);
  const values = new Map(rows.map((r) => [r.key, r.value]));
  const get = (key: string, fallback?: string): string => {
    const value = values.get(key) ?? fallback;
    if (value === undefined) throw new Error(`setting ${key} is missing from the settings table`);
    return value;
  };
  const gateways = new Map<string, Gateway>();
  for (const [key, url] of values) {
    const match = /^gateway\.([^.]+)\.url$/.exec(key);
    if (match?.[1]) gateways.set(match[1], { url, apiKey: values.get(`gateway.${match[1]}.api_key`) ?? '' });
  }
  return {
    smtp: { host: get('smtp.host'), port: Number(get('smtp.port', '25')), from: get('smtp.from') },
    taxRateBp: Number(get('billing.tax_rate_bp', '0')),
    currency: get('billing.currency', 'USD'),
    gateways,
    provisioningHosts: parseEndpoints(get('provisioning.hosts', '')),
  };
}

/** 'host:port,host:port' as the provisioning setting holds it. */
export function parseEndpoints(text: string): Endpoint[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.lastIndexOf(':');
      const port = Number(part.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`provisioning host "${part}" is not host:port`);
      }
      return { host: part.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
    });
}
