/**
 * Account attribution from what the platform sends, by the patterns its adapter declares
 * (`outbound`): each account pattern captures the account number in its one group; the invoice
 * pattern matches a whole invoice number; the amount pattern's one group captures the amount a
 * message says is due, or its groups `amount` and `currency` the amount and the currency it states.
 * Without patterns nothing is attributed.
 */
export interface AttributionPatterns {
  readonly accountPatterns: readonly string[];
  readonly invoicePattern?: string;
  readonly amountPattern?: string;
}

/** Longer captures are cut: an amount is a few characters, and the ledger keeps nothing else of a body. */
const MAX_AMOUNT_CHARS = 40;
/** A currency is a code (`USD`) or a sign (`€`, `US$`). */
const MAX_CURRENCY_CHARS = 8;

/** What a message states is due: the amount as written, and the currency where the pattern captures one. */
export interface StatedDue {
  readonly amount: string;
  readonly currency?: string;
}

/** Whether an adapter's `outbound.amountPattern` reads the currency too (a group named `currency`). */
export function amountPatternReadsCurrency(pattern: string): boolean {
  return /\(\?<currency>/.test(pattern);
}

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

  /** The amount a message's text says is due, as written (`1,234.56`), trimmed, and its currency; none without a match. */
  dueIn(text: string): StatedDue | undefined {
    const match = this.amount?.exec(text);
    // A pattern that reads the currency names both groups (the adapter's loader checks it).
    const amount = match?.groups !== undefined && 'amount' in match.groups ? match.groups['amount'] : match?.[1];
    if (match === null || match === undefined || amount === undefined) return undefined;
    const stated = amount.trim().slice(0, MAX_AMOUNT_CHARS);
    const currency = match.groups?.['currency']?.trim().slice(0, MAX_CURRENCY_CHARS);
    return currency === undefined || currency === '' ? { amount: stated } : { amount: stated, currency };
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
