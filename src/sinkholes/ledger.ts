import { openSync, writeSync } from 'node:fs';
import { linesOf } from '../runtime/lines-of-file.js';
import { CheckedAttempts } from './checked-attempts.js';
import { StringIds } from '../compact/columns.js';

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
  /** The amount the message says is due, as written, where the adapter declares how to find it (`outbound.amountPattern`). */
  readonly amountStated?: string;
  /** The currency it states with the amount, where the adapter's `outbound.amountPattern` has a group named `currency`. */
  readonly currencyStated?: string;
  /** The digest of the message's text (`shortDigest`), never the text, where it was read for the amount. */
  readonly textDigest?: string;
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
  /** Field names of the request and its yes/no values (`ChargeFacts.form`). */
  readonly form?: string;
  /** The headers that change what a gateway does: authorization scheme, media type, idempotency key, API version (`requestHeadersOf`). */
  readonly headers?: string;
  /** The idempotency key's digest, never the key (`idempotencyKeyDigest`). */
  readonly idempotencyKey?: string;
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

/**
 * Appends one JSON line per attempt. Every line is written with a synchronous write before the
 * sinkhole answers, so a crash never loses an entry already answered; the file stays open (an open
 * and a close per entry were a third of the ledger's cost at a thousand mails a second).
 *
 * `appendThenAnswer` holds the answer instead of the event loop: the lines of every connection
 * served in one turn of the loop go out in one write at its end, then their answers. A write per
 * entry was the largest single cost of a switch connection.
 */
export class LedgerWriter {
  private fd: number | undefined;
  private pending: string[] = [];
  private answers: ((arg: never) => void)[] = [];
  private answerArgs: unknown[] = [];
  private flushScheduled = false;

  constructor(readonly file: string) {}

  /** Writes the entry (and any held ones) now. */
  append(entry: LedgerEntry): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.writePending();
  }

  /**
   * Writes the entry with the others of this turn of the event loop, then calls `answer(arg)`; an
   * argument lets a caller pass a module-level function instead of making a closure per entry.
   */
  appendThenAnswer(entry: LedgerEntry, answer: () => void): void;
  appendThenAnswer<T>(entry: LedgerEntry, answer: (arg: T) => void, arg: T): void;
  appendThenAnswer(entry: LedgerEntry, answer: (arg: never) => void, arg?: unknown): void {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.answers.push(answer);
    this.answerArgs.push(arg);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    this.writePending();
    const answers = this.answers;
    const args = this.answerArgs;
    this.answers = [];
    this.answerArgs = [];
    for (let i = 0; i < answers.length; i++) (answers[i] as (arg: unknown) => void)(args[i]);
  }

  private writePending(): void {
    if (this.pending.length === 0) return;
    this.fd ??= openSync(this.file, 'a', 0o600);
    const bytes = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
  }
}

/** Calls `visit` for every entry from `since` (an ISO time) and before `until`, one line at a time: at a million accounts the file is hundreds of MB. */
export function forEachLedgerEntry(file: string, since: string | undefined, visit: (entry: LedgerEntry) => void, until?: string): void {
  for (const line of linesOf(file)) {
    const entry = JSON.parse(line) as LedgerEntry;
    if ((since === undefined || entry.time >= since) && (until === undefined || entry.time < until)) visit(entry);
  }
}

/** The ledger's entries; with `since` (ISO time, e.g. when the bill run started) only the later ones. */
export function readLedger(file: string, since?: string): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  forEachLedgerEntry(file, since, (entry) => entries.push(entry));
  return entries;
}

/** At most this many accounts are itemised in `byAccount`; `attributedAccounts` counts them all. */
export const MAX_ACCOUNTS_IN_SUMMARY = 1000;

export interface LedgerSummary {
  readonly total: number;
  readonly byKind: Readonly<Record<LedgerKind, number>>;
  /** One row per kind and `host:port`, most attempts first. */
  readonly byDestination: readonly { readonly kind: LedgerKind; readonly destination: string; readonly count: number }[];
  /** Attempts per attributed account, for the first MAX_ACCOUNTS_IN_SUMMARY accounts seen; `unattributed` counts the rest. */
  readonly byAccount: Readonly<Record<string, number>>;
  readonly attributedAccounts: number;
  readonly unattributed: number;
}

/** Builds a summary one entry at a time, so the ledger never has to be in memory whole. */
export class LedgerSummarizer {
  private total = 0;
  private readonly byKind: Record<LedgerKind, number> = { mail: 0, payment: 0, provisioning: 0, tls: 0 };
  private readonly destinations = new Map<string, { kind: LedgerKind; destination: string; count: number }>();
  private readonly byAccount: Record<string, number> = {};
  /** How many accounts `byAccount` itemises; counting its keys per entry cost seconds per 100,000 entries. */
  private itemised = 0;
  private readonly accounts = new StringIds();
  private unattributed = 0;

  add(entry: LedgerEntry): void {
    this.total += 1;
    this.byKind[entry.kind] += 1;
    const destination = `${entry.destination.host}:${entry.destination.port}`;
    const key = `${entry.kind} ${destination}`;
    const row = this.destinations.get(key) ?? { kind: entry.kind, destination, count: 0 };
    row.count += 1;
    this.destinations.set(key, row);
    if (entry.account === undefined) {
      this.unattributed += 1;
      return;
    }
    this.accounts.intern(entry.account);
    const count = this.byAccount[entry.account];
    if (count !== undefined) {
      this.byAccount[entry.account] = count + 1;
    } else if (this.itemised < MAX_ACCOUNTS_IN_SUMMARY) {
      this.byAccount[entry.account] = 1;
      this.itemised++;
    }
  }

  result(): LedgerSummary {
    const byDestination = [...this.destinations.values()].sort(
      (a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.destination.localeCompare(b.destination),
    );
    return {
      total: this.total,
      byKind: { ...this.byKind },
      byDestination,
      byAccount: { ...this.byAccount },
      attributedAccounts: this.accounts.size,
      unattributed: this.unattributed,
    };
  }
}

export function summarizeLedger(entries: readonly LedgerEntry[]): LedgerSummary {
  const summarizer = new LedgerSummarizer();
  for (const entry of entries) summarizer.add(entry);
  return summarizer.result();
}

/**
 * What a run keeps of the ledger: the summary, the first entries for the report, and of the
 * payment and provisioning attempts only what the checks compare (mail, the bulk, is only counted).
 */
export interface LedgerDigest {
  /** The ledger file digested, for checks that read it again in full (the outbound differential). */
  readonly file: string;
  readonly summary: LedgerSummary;
  readonly sample: readonly LedgerEntry[];
  readonly checked: CheckedAttempts;
}

export function digestLedger(file: string, since: string | undefined, sampleSize: number): LedgerDigest {
  const summarizer = new LedgerSummarizer();
  const sample: LedgerEntry[] = [];
  const checked = new CheckedAttempts();
  forEachLedgerEntry(file, since, (entry) => {
    summarizer.add(entry);
    if (sample.length < sampleSize) sample.push(entry);
    checked.add(entry);
  });
  return { file, summary: summarizer.result(), sample, checked };
}
