/**
 * The rows each concept yields once normalized (see concepts.ts): money as integer cents of the
 * invoice currency, periods in months, dates `YYYY-MM-DD`, timestamps ISO 8601 UTC.
 */
type Cents = number;
type R = Record<string, string | number | null>;

export interface BillRunRow extends R { sequence: number; bill_date: string; release: string; status: string; started_at: string; finished_at: string | null; accounts_billed: number }
export interface AccountCountRow extends R { accounts: number }
export interface AccountNumberRow extends R { account_number: string }
export interface DuePackageRow extends R { account_number: string; user_package_id: number; package_code: string; period_months: number; next_bill_date: string }
export interface UserPackageRow extends R { account_number: string; user_package_id: number; status: string; next_bill_date: string | null }
export interface PoolRow extends R { account_number: string; included_minutes: number; overage_rate: number; used_minutes: number; family_unrated_minutes: number }
export interface AccountOutcomeRow extends R { account_number: string; status: string; balance: Cents; invoice_count: number; invoice_total: Cents | null; usage_amount: Cents | null }
export interface ComparableAccountRow extends R {
  account_number: string;
  balance: Cents;
  /** Payments the bill run itself took (negative): production's came from real processors, ours from sinkholes. */
  bill_run_payments: Cents;
  invoice_total: Cents | null;
  tax: Cents | null;
  /** Minutes used of the bucket this account owns (null: it owns none). */
  pool_used_minutes: number | null;
  /** 'pool owner', 'pool member' or 'no pool': a cause to group differences by. */
  pool_role: string;
  is_child: number;
  /** Each package as `code:next bill date:status`, in a stable order. */
  next_bill_dates: string | null;
  /** Each package's period in months, with `+discount` when discounted, joined with ','. */
  package_traits: string | null;
}
export interface ChargeRow extends R { account_number: string; kind: string; amount: Cents }
export interface AccountFeaturesRow extends R {
  account_number: string;
  status: string;
  balance: Cents;
  is_parent: number;
  is_child: number;
  pool_role: string;
  package_count: number;
  usage_minutes: number;
  /** Each package's period in months, joined with ','. */
  period_months: string | null;
  price_plans: string | null;
  discounts: string | null;
  /** `kind/processor` of each payment method, joined with ','. */
  payment_methods: string | null;
  expired_cards: number;
}
export interface EventLogRow extends R { sequence: number; logged_at: string; level: string; module: string; action: string; result: string | null; account_number: string | null; message: string | null }
export interface SettingValueRow extends R { value: string | null }
export interface PaymentProcessorRow extends R { processor: string; url: string }
export interface SwitchTargetRow extends R { position: number; target: string }
export interface CurrencyRow extends R { currency: string }
export interface PackageToProvisionRow extends R { user_package_id: number; account_number: string; provisioning_code: string }
export interface IdRow extends R { id: number }
export interface RolePermissionRow extends R { role: string | null; permission: string }
export interface RoleRow extends R { role: string }
export interface ConfigurationItemRow extends R { name: string; value: string | null }
export interface StaffUserRow extends R { user_name: string; active: number; role: string | null }
export interface StaffDirectGrantRow extends R { user_name: string; permission: string }
export interface BilledInvoiceRow extends R { invoice_number: string; account_number: string; total: Cents }
export interface ProcessorUseRow extends R { processor: string; invoices: number }
export interface ChargeEligibilityRow extends R { invoice_number: string; account_number: string; total: Cents; ineligible: string | null; processor: string | null; card_last4: string | null }
export interface RecordedPaymentRow extends R { invoice_number: string; account_number: string; amount: Cents; processor: string | null }
export interface MailedInvoiceRow extends R { invoice_number: string; account_number: string; email: string | null }
export interface MailSenderRow extends R { address: string }
export interface ContactEmailRow extends R { contact_id: number; account_number: string; email: string }

export interface ConceptRows {
  billRuns: BillRunRow;
  accountsDueCount: AccountCountRow;
  invoicedAccountsCount: AccountCountRow;
  dueAccountsNotInvoiced: AccountNumberRow;
  duePackages: DuePackageRow;
  userPackages: UserPackageRow;
  pools: PoolRow;
  accountOutcomes: AccountOutcomeRow;
  comparableAccounts: ComparableAccountRow;
  charges: ChargeRow;
  accountFeatures: AccountFeaturesRow;
  eventLog: EventLogRow;
  outboundHostSettings: SettingValueRow;
  paymentProcessors: PaymentProcessorRow;
  switchTargets: SwitchTargetRow;
  billingCurrency: CurrencyRow;
  accountsToProvision: AccountNumberRow;
  packagesToProvision: PackageToProvisionRow;
  pendingProvisioning: IdRow;
  rolePermissions: RolePermissionRow;
  roles: RoleRow;
  billRunConfiguration: ConfigurationItemRow;
  staffUsers: StaffUserRow;
  staffDirectGrants: StaffDirectGrantRow;
  billedInvoices: BilledInvoiceRow;
  processorsToCharge: ProcessorUseRow;
  chargeEligibility: ChargeEligibilityRow;
  recordedPayments: RecordedPaymentRow;
  invoicesMarkedMailed: MailedInvoiceRow;
  contactEmails: ContactEmailRow;
  mailSender: MailSenderRow;
}

export interface ConfigurationItemRow extends R { name: string; value: string | null }
export interface StaffUserRow extends R { user_name: string; active: number; role: string | null }
export interface StaffDirectGrantRow extends R { user_name: string; permission: string }
