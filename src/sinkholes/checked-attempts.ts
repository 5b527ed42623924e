import type { LedgerEntry, PaymentEntry } from './ledger.js';
import { IntColumn, NumberColumn, StringColumn, StringIds } from '../compact/columns.js';

const APPROVED = 1;
const HAS_INVOICE = 2;
const HAS_ACCOUNT = 4;
/** The host's index is kept in the flags above these bits. */
const HOST_SHIFT = 3;

/**
 * The payment attempts of the ledger, reduced to what the payments check reads and kept in columns
 * (one index per attempt, in ledger order; see src/compact/columns.ts). At a million accounts a
 * run makes about 300,000 charges, held from the bill run to the end of verify: as arrays of the
 * ledger's strings they were tens of MB of the heap; here about 40 bytes an attempt outside it.
 */
export class PaymentAttempts {
  private readonly invoices = new StringColumn();
  private readonly accounts = new StringColumn();
  /** NaN where the request named no amount. */
  private readonly amounts = new NumberColumn();
  /** APPROVED, HAS_INVOICE, HAS_ACCOUNT, and the index into `hosts` shifted by HOST_SHIFT. */
  private readonly flags = new IntColumn();
  /** A run reaches a handful of gateway hosts, each named once. */
  private readonly hosts: string[] = [];

  get length(): number {
    return this.flags.length;
  }

  add(entry: PaymentEntry): void {
    let host = this.hosts.indexOf(entry.destination.host);
    if (host === -1) host = this.hosts.push(entry.destination.host) - 1;
    this.invoices.push(entry.invoice ?? '');
    this.accounts.push(entry.account ?? '');
    this.amounts.push(entry.amountCents ?? Number.NaN);
    this.flags.push((host << HOST_SHIFT) | (entry.approved ? APPROVED : 0) | (entry.invoice !== undefined ? HAS_INVOICE : 0) | (entry.account !== undefined ? HAS_ACCOUNT : 0));
  }

  invoice(i: number): string | undefined {
    return this.flags.get(i) & HAS_INVOICE ? this.invoices.get(i) : undefined;
  }

  account(i: number): string | undefined {
    return this.flags.get(i) & HAS_ACCOUNT ? this.accounts.get(i) : undefined;
  }

  amountCents(i: number): number | undefined {
    const amount = this.amounts.get(i);
    return Number.isNaN(amount) ? undefined : amount;
  }

  approved(i: number): boolean {
    return (this.flags.get(i) & APPROVED) !== 0;
  }

  host(i: number): string | undefined {
    return this.hosts[this.flags.get(i) >>> HOST_SHIFT];
  }
}

/**
 * What the payments and provisioning checks compare, collected one ledger entry at a time.
 * Provisioning keeps only what its check asks: which accounts reached a switch (first seen
 * first) and how many connections there were.
 */
export class CheckedAttempts {
  readonly payments = new PaymentAttempts();
  /** Accounts that reached a switch, each once, first seen first. */
  readonly provisionedAccounts = new StringIds();
  private provisioningCount = 0;

  get provisioningAttempts(): number {
    return this.provisioningCount;
  }

  add(entry: LedgerEntry): void {
    if (entry.kind === 'payment') {
      this.payments.add(entry);
    } else if (entry.kind === 'provisioning') {
      this.provisioningCount++;
      if (entry.account !== undefined) this.provisionedAccounts.intern(entry.account);
    }
  }
}

export function checkedAttempts(entries: Iterable<LedgerEntry>): CheckedAttempts {
  const attempts = new CheckedAttempts();
  for (const entry of entries) attempts.add(entry);
  return attempts;
}
