import type { PlatformDatabase } from '../billrun/platform-database.js';
import { PLATFORM_CONNECTION_ENV } from '../billrun/platform-database.js';

/** Where probes run and what the platform's commands and services are told, as the declared driver tells its steps. */
export interface ProbeEnvironment {
  readonly execPrefix: readonly string[];
  readonly database: PlatformDatabase;
  readonly workDir: string;
  readonly adapterDir: string;
  readonly release: string;
  readonly switches: readonly string[];
  readonly billDate: string;
  /** The sandbox CA the platform must trust (NODE_EXTRA_CA_CERTS), when the sinkholes have one. */
  readonly caCertPath?: string;
}

/** `REHEARSAL_*` variables for a probe's command or an adapter service; secrets only as the connection variable. */
export function probeVariables(env: ProbeEnvironment, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const database = env.database;
  return {
    REHEARSAL_RELEASE: env.release,
    REHEARSAL_SWITCHES: env.switches.join(','),
    REHEARSAL_BILL_DATE: env.billDate,
    REHEARSAL_WORK_DIR: env.workDir,
    REHEARSAL_ADAPTER_DIR: env.adapterDir,
    ...(database.kind === 'sqlite' ? { REHEARSAL_DATABASE_PATH: database.path } : { [PLATFORM_CONNECTION_ENV]: database.connectionString }),
    ...(env.caCertPath !== undefined ? { NODE_EXTRA_CA_CERTS: env.caCertPath } : {}),
    ...extra,
  };
}
