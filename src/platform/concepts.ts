/**
 * The billing concepts the checks read, each with the fixed column contract an adapter's query
 * must return. Money is a decimal in the invoice currency, periods are months (0: one-time),
 * dates are `YYYY-MM-DD` and timestamps ISO 8601 UTC; the product normalizes what the engine gives.
 * Queries carry no ORDER BY: where order or a filter by account matters, the product wraps them.
 */

/** `money` is read as integer cents, `decimal` as a number, `months` and `integer` as integers. */
export type ColumnType = 'text' | 'integer' | 'money' | 'decimal' | 'months' | 'date' | 'timestamp';

/** The scalar values a query may use as `:name`; the product binds them. */
export const PARAMETERS = ['billDate', 'billMonth', 'since'] as const;
export type ParameterName = (typeof PARAMETERS)[number];
export type Parameters = Partial<Record<ParameterName, string>>;

export interface ConceptDefinition {
  /** Column name → type; a trailing `?` allows null. */
  readonly columns: Readonly<Record<string, string>>;
  readonly parameters: readonly ParameterName[];
  /** What it is, for `adapter check` and docs/platforms.md. */
  readonly description: string;
  /**
   * The product orders the rows by these columns (the first by code point when `codePoint`) and
   * may narrow them to some accounts by `account_number`.
   */
  readonly orderBy?: readonly string[];
  readonly codePoint?: boolean;
  readonly descending?: boolean;
}

const account = { account_number: 'text' };

export const CONCEPTS = {
  billRuns: {
    description: "the platform's record of each bill run for the date: state (`running`, `completed`, `failed`), release, counts",
    columns: { sequence: 'integer', bill_date: 'date', release: 'text', status: 'text', started_at: 'timestamp', finished_at: 'timestamp?', accounts_billed: 'integer' },
    parameters: ['billDate'],
    orderBy: ['sequence'],
    descending: true,
  },
  accountsDueCount: {
    description: 'how many accounts the bill run must bill (read before it): active, with an active subscription due',
    columns: { accounts: 'integer' },
    parameters: ['billDate'],
  },
  invoicedAccountsCount: {
    description: 'how many accounts got an invoice dated the bill date',
    columns: { accounts: 'integer' },
    parameters: ['billDate'],
  },
  dueAccountsNotInvoiced: {
    description: 'accounts due on the bill date that got no invoice for it',
    columns: { ...account },
    parameters: ['billDate'],
    orderBy: ['account_number'],
  },
  duePackages: {
    description: 'subscriptions the bill run must bill, with their period in months and next bill date (read before it)',
    columns: { ...account, user_package_id: 'integer', package_code: 'text', period_months: 'months', next_bill_date: 'date' },
    parameters: ['billDate'],
    orderBy: ['account_number', 'user_package_id'],
  },
  userPackages: {
    description: "every subscription's state and next bill date",
    columns: { ...account, user_package_id: 'integer', status: 'text', next_bill_date: 'date?' },
    parameters: [],
    orderBy: ['account_number', 'user_package_id'],
  },
  pools: {
    description: "pooled minute buckets by owner, with the family's unrated usage before the bill date",
    columns: { ...account, included_minutes: 'integer', overage_rate: 'decimal', used_minutes: 'integer', family_unrated_minutes: 'integer' },
    parameters: ['billDate'],
    orderBy: ['account_number'],
  },
  accountOutcomes: {
    description: "each account's state after the bill run: invoices dated the bill date, their total and usage charges, balance",
    columns: { ...account, status: 'text', balance: 'money', invoice_count: 'integer', invoice_total: 'money?', usage_amount: 'money?' },
    parameters: ['billDate'],
    orderBy: ['account_number'],
  },
  comparableAccounts: {
    description: "every account's bill-run outcome compared with production's: totals, taxes, balance, payments of this run, pool, next bill dates",
    columns: {
      ...account,
      balance: 'money',
      bill_run_payments: 'money',
      invoice_total: 'money?',
      tax: 'money?',
      pool_used_minutes: 'integer?',
      pool_role: 'text',
      is_child: 'integer',
      next_bill_dates: 'text?',
      package_traits: 'text?',
    },
    parameters: ['billDate'],
    orderBy: ['account_number'],
    codePoint: true,
  },
  charges: {
    description: "this bill run's charges as rows: account, kind (recurring, usage, tax, ...) and amount",
    columns: { ...account, kind: 'text', amount: 'money' },
    parameters: ['billDate'],
    orderBy: ['account_number', 'kind'],
    codePoint: true,
  },
  accountFeatures: {
    description: "what each account exercises (periods, price plans, discounts, pools, hierarchy, payment methods), for the account picker and for ranking the state differential's causes",
    columns: {
      ...account,
      status: 'text',
      balance: 'money',
      is_parent: 'integer',
      is_child: 'integer',
      pool_role: 'text',
      package_count: 'integer',
      usage_minutes: 'integer',
      period_months: 'text?',
      price_plans: 'text?',
      discounts: 'text?',
      payment_methods: 'text?',
      expired_cards: 'integer',
    },
    parameters: ['billMonth'],
    orderBy: ['account_number'],
    codePoint: true,
  },
  eventLog: {
    description: 'warnings and errors logged since a time, level `warning` or `error`',
    columns: { sequence: 'integer', logged_at: 'timestamp', level: 'text', module: 'text', action: 'text', result: 'text?', account_number: 'text?', message: 'text?' },
    parameters: ['since'],
    orderBy: ['logged_at', 'sequence'],
  },
  outboundHostSettings: {
    description: 'every setting value that may name a host the platform reaches (gateways, mail, switches); prove sinkholes them',
    columns: { value: 'text?' },
    parameters: [],
  },
  paymentProcessors: {
    description: 'payment processors configured, each with its gateway URL',
    columns: { processor: 'text', url: 'text' },
    parameters: [],
    orderBy: ['processor'],
  },
  switchTargets: {
    description: "the switches the platform provisions, as `host:port` in the platform's own order (position 1, 2, ...)",
    columns: { position: 'integer', target: 'text' },
    parameters: [],
  },
  billingCurrency: {
    description: 'the ISO currency code the platform bills in',
    columns: { currency: 'text' },
    parameters: [],
  },
  accountsToProvision: {
    description: 'accounts the bill run must provision: billed now and holding a pending package change (read before it)',
    columns: { ...account },
    parameters: ['billDate'],
    orderBy: ['account_number'],
  },
  packagesToProvision: {
    description: 'pending package changes the bill run must push to the switches, with the code a request names (read before it)',
    columns: { user_package_id: 'integer', ...account, provisioning_code: 'text' },
    parameters: ['billDate'],
    orderBy: ['user_package_id'],
  },
  pendingProvisioning: {
    description: 'package changes still waiting to be provisioned',
    columns: { id: 'integer' },
    parameters: [],
    orderBy: ['id'],
  },
  rolePermissions: {
    description: 'every permission with each staff role holding it (role null: no role holds it)',
    columns: { role: 'text?', permission: 'text' },
    parameters: [],
    orderBy: ['permission', 'role'],
  },
  roles: {
    description: 'every staff role',
    columns: { role: 'text' },
    parameters: [],
    orderBy: ['role'],
  },
  billRunConfiguration: {
    description: "the configuration of the platform's last bill run up to the bill date, as rows (name, value); read from production's result and applied to the rehearsal's bill run",
    columns: { name: 'text', value: 'text?' },
    parameters: ['billDate'],
    orderBy: ['name'],
    codePoint: true,
  },
  staffUsers: {
    description: 'every staff user with each role they hold (role null: none) and whether they are active (1) or not (0)',
    columns: { user_name: 'text', active: 'integer', role: 'text?' },
    parameters: [],
    orderBy: ['user_name', 'role'],
    codePoint: true,
  },
  staffDirectGrants: {
    description: 'permissions granted to a staff user directly rather than through a role (platforms without direct grants leave it out)',
    columns: { user_name: 'text', permission: 'text' },
    parameters: [],
    orderBy: ['user_name', 'permission'],
    codePoint: true,
  },
  billedInvoices: {
    description: "invoices of this bill run with their totals",
    columns: { invoice_number: 'text', ...account, total: 'money' },
    parameters: ['billDate'],
    orderBy: ['invoice_number'],
  },
  processorsToCharge: {
    description: 'processors auto-pay must charge through, with how many invoices of this bill run each',
    columns: { processor: 'text', invoices: 'integer' },
    parameters: ['billDate', 'billMonth'],
    orderBy: ['processor'],
  },
  chargeEligibility: {
    description:
      "every invoice of this bill run with why auto-pay must not charge it (null: it must), the processor of the default method and, for a card, the last four digits the platform sends with the charge as the copy holds them (null: not sent or not known)",
    columns: { invoice_number: 'text', ...account, total: 'money', ineligible: 'text?', processor: 'text?', card_last4: 'text?' },
    parameters: ['billDate', 'billMonth'],
    orderBy: ['invoice_number'],
  },
  recordedPayments: {
    description: "payments recorded against this bill run's invoices (positive amounts) and the processor of the default method",
    columns: { invoice_number: 'text', ...account, amount: 'money', processor: 'text?' },
    parameters: ['billDate'],
    orderBy: ['invoice_number', 'amount'],
  },
  invoicesMarkedMailed: {
    description: "invoices of this bill run the platform counts as mailed, with the primary contact's address",
    columns: { invoice_number: 'text', ...account, email: 'text?' },
    parameters: ['billDate'],
    orderBy: ['invoice_number'],
  },
  mailSender: {
    description: 'the envelope sender (MAIL FROM) of every invoice mail, as the platform\'s settings hold it: one row',
    columns: { address: 'text' },
    parameters: [],
  },
  contactEmails: {
    description: "every contact's e-mail address by contact row (masking keeps the row, so production's recipient maps to its masked form)",
    columns: { contact_id: 'integer', ...account, email: 'text' },
    parameters: [],
    orderBy: ['contact_id'],
  },
} as const satisfies Record<string, ConceptDefinition>;

export type ConceptName = keyof typeof CONCEPTS;

export const CONCEPT_NAMES = Object.keys(CONCEPTS) as ConceptName[];

export function isConceptName(name: string): name is ConceptName {
  return Object.hasOwn(CONCEPTS, name);
}

export function conceptDefinition(name: ConceptName): ConceptDefinition {
  return CONCEPTS[name];
}

/** Column name → type without the `?`, and whether null is allowed. */
export function columnSpec(spec: string): { type: ColumnType; nullable: boolean } {
  return { type: spec.replace(/\?$/, '') as ColumnType, nullable: spec.endsWith('?') };
}
