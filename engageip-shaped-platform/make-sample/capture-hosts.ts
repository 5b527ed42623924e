import { isIP } from 'node:net';
import Database from 'better-sqlite3';
import type { SettingsHosts } from '../../sample-platform/control/capture.js';
import { readSettings } from '../service/outbound.js';

/** The hosts and ports the database's SystemSetting rows will make the billing service reach. */
export function hostsInSystemSettings(db: string): SettingsHosts {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const settings = readSettings(database.prepare('SELECT [Name], [Value] FROM [SystemSetting]').all() as { Name: string; Value: string | null }[]);
    const names = new Set<string>();
    const addresses = new Set<string>();
    const add = (host: string): void => void (isIP(host) !== 0 ? addresses.add(host) : names.add(host.toLowerCase()));
    add(settings.smtpServer);
    const tlsPorts = new Set<number>();
    for (const gateway of settings.gateways.values()) {
      const url = new URL(gateway.url);
      add(url.hostname);
      tlsPorts.add(Number(url.port || '443'));
    }
    for (const target of settings.switches) add(target.host);
    return {
      names: [...names].sort(),
      addresses: [...addresses],
      smtpPorts: [settings.smtpPort],
      tlsPorts: [...tlsPorts],
      switchPorts: [...new Set(settings.switches.map((s) => s.port))],
    };
  } finally {
    database.close();
  }
}
