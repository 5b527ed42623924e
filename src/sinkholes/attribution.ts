/**
 * Account attribution from what the platform sends, by the patterns its adapter declares
 * (`outbound`): each account pattern captures the account number in its one group; the invoice
 * pattern matches a whole invoice number. Without patterns nothing is attributed.
 */
export interface AttributionPatterns {
  readonly accountPatterns: readonly string[];
  readonly invoicePattern?: string;
}

export class Attribution {
  private readonly accounts: readonly RegExp[];
  private readonly invoice: RegExp | undefined;

  constructor(patterns: AttributionPatterns | undefined) {
    this.accounts = (patterns?.accountPatterns ?? []).map((p) => new RegExp(p));
    this.invoice = patterns?.invoicePattern === undefined ? undefined : new RegExp(patterns.invoicePattern);
  }

  invoiceIn(text: string): string | undefined {
    return this.invoice?.exec(text)?.[0];
  }

  accountIn(text: string): string | undefined {
    for (const pattern of this.accounts) {
      const account = pattern.exec(text)?.[1];
      if (account !== undefined) return account;
    }
    return undefined;
  }
}
