import type { LedgerEntry, PaymentEntry } from './ledger.js';

/**
 * The payment attempts of the ledger, reduced to what the payments check reads and kept as
 * columns (one index per attempt, in ledger order). At a million accounts a run makes about
 * 280,000 charges: as whole entry objects (destination, peer, transaction id) they held some
 * 500 bytes each; here about 120 (two short strings and three numbers).
 */
export class PaymentAttempts {
  private readonly invoices: (string | undefined)[] = [];
  private readonly accounts: (string | undefined)[] = [];
  /** NaN where the request named no amount, so the column stays an unboxed array of doubles. */
  private readonly amounts: number[] = [];
  /** 1 approved, 0 declined. */
  private readonly approvals: number[] = [];
  /** Index into `hosts`: a run reaches a handful of gateway hosts, each named once. */
  private readonly hostIndex: number[] = [];
  private readonly hosts: string[] = [];

  get length(): number {
    return this.invoices.length;
  }

  add(entry: PaymentEntry): void {
    let host = this.hosts.indexOf(entry.destination.host);
    if (host === -1) host = this.hosts.push(entry.destination.host) - 1;
    this.invoices.push(entry.invoice);
    this.accounts.push(entry.account);
    this.amounts.push(entry.amountCents ?? Number.NaN);
    this.approvals.push(entry.approved ? 1 : 0);
    this.hostIndex.push(host);
  }

  invoice(i: number): string | undefined {
    return this.invoices[i];
  }

  account(i: number): string | undefined {
    return this.accounts[i];
  }

  amountCents(i: number): number | undefined {
    const amount = this.amounts[i];
    return amount === undefined || Number.isNaN(amount) ? undefined : amount;
  }

  approved(i: number): boolean {
    return this.approvals[i] === 1;
  }

  host(i: number): string | undefined {
    const host = this.hostIndex[i];
    return host === undefined ? undefined : this.hosts[host];
  }
}

/**
 * What the payments and provisioning checks compare, collected one ledger entry at a time.
 * Provisioning keeps only what its check asks: which accounts reached a switch (first seen
 * first) and how many connections there were.
 */
export class CheckedAttempts {
  readonly payments = new PaymentAttempts();
  readonly provisionedAccounts = new Set<string>();
  private provisioningCount = 0;

  get provisioningAttempts(): number {
    return this.provisioningCount;
  }

  add(entry: LedgerEntry): void {
    if (entry.kind === 'payment') {
      this.payments.add(entry);
    } else if (entry.kind === 'provisioning') {
      this.provisioningCount++;
      if (entry.account !== undefined) this.provisionedAccounts.add(entry.account);
    }
  }
}

export function checkedAttempts(entries: Iterable<LedgerEntry>): CheckedAttempts {
  const attempts = new CheckedAttempts();
  for (const entry of entries) attempts.add(entry);
  return attempts;
}
