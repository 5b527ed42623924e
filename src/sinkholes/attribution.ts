/**
 * Account attribution from what the platform sends: provisioning lines carry `account=<number>`,
 * invoice numbers are `INV-<YYYY-MM-DD>-<account number>` in mail subjects and payment bodies.
 */
const ACCOUNT_FIELD = /\baccount=([A-Za-z0-9][A-Za-z0-9_-]*)/;
const INVOICE = /\bINV-(\d{4}-\d{2}-\d{2})-([A-Za-z0-9][A-Za-z0-9_-]*)/;

export function invoiceIn(text: string): string | undefined {
  return INVOICE.exec(text)?.[0];
}

export function accountIn(text: string): string | undefined {
  return ACCOUNT_FIELD.exec(text)?.[1] ?? INVOICE.exec(text)?.[2];
}
