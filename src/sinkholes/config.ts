import { readFileSync, writeFileSync } from 'node:fs';
import type { AttributionPatterns } from './attribution.js';

/** Everything the sinkhole process needs, written by the sandbox and read by `main.ts`. */
export interface SinkholeConfig {
  readonly ledgerPath: string;
  /** Per-run CA folder (`ca.crt`, `server.crt`, `server.key`); without it TLS is recorded, not terminated. */
  readonly caDir?: string;
  /** Per-run secret the sinkhole answers probes with. */
  readonly nonce: string;
  /** Sinkhole address → the host name the sandbox's hosts file maps to it. */
  readonly hostsByAddress: Readonly<Record<string, string>>;
  /** Plain SMTP (with STARTTLS when there is a CA): 25, 587, 2525. */
  readonly smtpPorts: readonly number[];
  /** SMTP over implicit TLS: 465. */
  readonly smtpsPorts: readonly number[];
  /** HTTPS payment gateways: 443. */
  readonly tlsPorts: readonly number[];
  /** Switch and provisioning listeners: port → service name. */
  readonly tcpPorts: Readonly<Record<string, string>>;
  readonly udpPorts: Readonly<Record<string, string>>;
  readonly decline: DeclineRule;
  /** How the platform's messages name an account or invoice (its adapter's `outbound`). */
  readonly attribution?: AttributionPatterns;
}

/** When the payment sinkhole declines instead of approving, so both paths of the platform run. */
export interface DeclineRule {
  /** Cards ending in these digits are declined (e.g. `0002`, the common test decline card); bank payments never are. */
  readonly last4: readonly string[];
  /** Charges above this many cents are declined. */
  readonly aboveCents?: number;
}

export function writeSinkholeConfig(file: string, config: SinkholeConfig): void {
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

export function readSinkholeConfig(file: string): SinkholeConfig {
  return JSON.parse(readFileSync(file, 'utf8')) as SinkholeConfig;
}
