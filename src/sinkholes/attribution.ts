/**
 * Account attribution from what the platform sends, by the patterns its adapter declares
 * (`outbound`): each account pattern captures the account number in its one group; the invoice
 * pattern matches a whole invoice number; the amount pattern's one group captures the amount a
 * message says is due. Without patterns nothing is attributed.
 */
export interface AttributionPatterns {
  readonly accountPatterns: readonly string[];
  readonly invoicePattern?: string;
  readonly amountPattern?: string;
}

/** Longer captures are cut: an amount is a few characters, and the ledger keeps nothing else of a body. */
const MAX_AMOUNT_CHARS = 40;

export class Attribution {
  private readonly accounts: readonly RegExp[];
  private readonly invoice: RegExp | undefined;
  private readonly amount: RegExp | undefined;

  constructor(patterns: AttributionPatterns | undefined) {
    this.accounts = (patterns?.accountPatterns ?? []).map((p) => new RegExp(p));
    this.invoice = patterns?.invoicePattern === undefined ? undefined : new RegExp(patterns.invoicePattern);
    this.amount = patterns?.amountPattern === undefined ? undefined : new RegExp(patterns.amountPattern);
  }

  /** Whether messages are read for the amount they state (the mail sinkhole then keeps a message's start, not only its headers). */
  get readsAmounts(): boolean {
    return this.amount !== undefined;
  }

  /** The amount a message's text says is due, as written (`1,234.56`), trimmed; none without a match. */
  amountIn(text: string): string | undefined {
    return this.amount?.exec(text)?.[1]?.trim().slice(0, MAX_AMOUNT_CHARS);
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
