/**
 * RN-7501 as a plan writes it: the sample candidate's `business-voice-tax-rate` switch taxes
 * Business Voice customers at 9.5% instead of 8.25%. `taxBound` lets a test tighten the bound.
 */
export function rn7501(taxBound = '0.2'): string {
  return `  - id: RN-7501
    title: Business Voice customers are taxed at the business rate of 9.5% (was 8.25%)
    link: https://tracker.example/RN-7501
    expect:
      accounts: { trait: price plan Business Voice 1000 }
      differ:
        - { field: taxes, direction: increase, maxRelative: ${taxBound} }
        - { field: "charges: tax", sameAs: taxes }
        - { field: invoice total, sameAs: taxes }
        - { field: balance before payments, sameAs: taxes }
        - { column: invoices.tax_cents, direction: increase, maxRelative: ${taxBound} }
        - { column: invoices.total_cents, sameAs: tax_cents }
        - { column: accounts.balance_cents, direction: increase, maxAbsolute: 2000 }
        - { rows: invoice_items, where: { kind: tax } }
        - { rows: transactions, where: { kind: [invoice, payment] } }
        - { outbound: payments, kinds: [amount differs], direction: increase, maxRelative: 0.02 }
`;
}
