import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export type LedgerKind = 'mail' | 'payment' | 'provisioning' | 'tls';

/** Where an attempt was headed: the name the platform used when we can tell, and the address it reached. */
export interface LedgerDestination {
  /** Host name the platform resolved to this sinkhole address, else the address itself. */
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
}

interface LedgerBase {
  readonly time: string;
  readonly destination: LedgerDestination;
  readonly peer: { readonly address: string; readonly port: number };
  /** Account number the payload names (`account=`, an `INV-<date>-<account>` invoice), when it does. */
  readonly account?: string;
}

export interface MailEntry extends LedgerBase {
  readonly kind: 'mail';
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly sizeBytes: number;
}

export interface PaymentEntry extends LedgerBase {
  readonly kind: 'payment';
  readonly method: string;
  readonly path: string;
  readonly amountCents?: number;
  readonly currency?: string;
  readonly invoice?: string;
  /** The only card digits ever kept. */
  readonly last4?: string;
  readonly approved: boolean;
  readonly transactionId: string;
}

export interface BytesPreview {
  readonly length: number;
  readonly hex: string;
  /** Printable ASCII, other bytes shown as `.`. */
  readonly text: string;
}

export interface ProvisioningEntry extends LedgerBase {
  readonly kind: 'provisioning';
  /** Catalogue service on this port, e.g. `BroadWorks OCI-P`. */
  readonly service: string;
  readonly firstBytes: BytesPreview;
}

export interface TlsEntry extends LedgerBase {
  readonly kind: 'tls';
  /** SNI from the ClientHello; absent when the client sent none or did not speak TLS. */
  readonly serverName?: string;
  /** Whether the sinkhole went on to terminate TLS with the per-run CA. */
  readonly terminated: boolean;
  /** What a client that did not speak TLS sent instead. */
  readonly firstBytes?: BytesPreview;
}

export type LedgerEntry = MailEntry | PaymentEntry | ProvisioningEntry | TlsEntry;

/** Appends one JSON line per attempt; synchronous so a crash never loses an entry already seen. */
export class LedgerWriter {
  constructor(readonly file: string) {}

  append(entry: LedgerEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}

/** The ledger's entries; with `since` (ISO time, e.g. when the bill run started) only the later ones. */
export function readLedger(file: string, since?: string): LedgerEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LedgerEntry)
    .filter((entry) => since === undefined || entry.time >= since);
}

export interface LedgerSummary {
  readonly total: number;
  readonly byKind: Readonly<Record<LedgerKind, number>>;
  /** One row per kind and `host:port`, most attempts first. */
  readonly byDestination: readonly { readonly kind: LedgerKind; readonly destination: string; readonly count: number }[];
  /** Attempts per attributed account; `unattributed` counts the rest. */
  readonly byAccount: Readonly<Record<string, number>>;
  readonly unattributed: number;
}

export function summarizeLedger(entries: readonly LedgerEntry[]): LedgerSummary {
  const byKind: Record<LedgerKind, number> = { mail: 0, payment: 0, provisioning: 0, tls: 0 };
  const destinations = new Map<string, { kind: LedgerKind; destination: string; count: number }>();
  const byAccount: Record<string, number> = {};
  let unattributed = 0;
  for (const entry of entries) {
    byKind[entry.kind] += 1;
    const destination = `${entry.destination.host}:${entry.destination.port}`;
    const key = `${entry.kind} ${destination}`;
    const row = destinations.get(key) ?? { kind: entry.kind, destination, count: 0 };
    row.count += 1;
    destinations.set(key, row);
    if (entry.account === undefined) unattributed += 1;
    else byAccount[entry.account] = (byAccount[entry.account] ?? 0) + 1;
  }
  const byDestination = [...destinations.values()].sort(
    (a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.destination.localeCompare(b.destination),
  );
  return { total: entries.length, byKind, byDestination, byAccount, unattributed };
}
