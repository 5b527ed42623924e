import type Database from 'better-sqlite3';

/** One account row as the generator lays it down. */
export interface AccountRow {
  readonly ownerId: number;
  readonly parentId: number | null;
  readonly name: string;
  readonly status: 'active' | 'cancelled';
  readonly billDay: number;
  readonly autoPay: boolean;
  readonly taxExempt: boolean;
  readonly balanceCents: number;
  readonly notes: string | null;
}

export interface ContactRow {
  readonly isPrimary: boolean;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly phone: string;
  readonly street: string;
  readonly city: string;
  readonly postcode: string;
  readonly country: string;
}

export interface UserPackageRow {
  readonly packageId: number;
  readonly pricePlanId?: number;
  readonly discountId?: number;
  readonly quantity?: number;
  readonly status?: 'active' | 'cancelled' | 'completed';
  readonly startDate: string;
  readonly nextBillDate: string | null;
  readonly provisioningPending?: boolean;
}

export type PaymentMethodRow =
  | {
      readonly kind: 'card';
      readonly processor: string;
      readonly token: string;
      readonly number: string;
      readonly expiry: string;
      readonly holderName: string;
    }
  | {
      readonly kind: 'echeck';
      readonly processor: string;
      readonly accountNumber: string;
      readonly routingNumber: string;
      readonly holderName: string;
    };

/** Prepared inserts for the per-account tables; accounts get consecutive ids from 1. */
export class SnapshotWriter {
  private nextAccountId = 1;
  private readonly insertAccount: Database.Statement;
  private readonly insertContact: Database.Statement;
  private readonly insertUserPackage: Database.Statement;
  private readonly insertUsage: Database.Statement;
  private readonly insertPaymentMethod: Database.Statement;
  private readonly insertBucket: Database.Statement;

  constructor(db: Database.Database) {
    this.insertAccount = db.prepare(
      `INSERT INTO accounts (id, owner_id, parent_id, account_number, name, status, bill_day, auto_pay, tax_exempt, balance_cents, notes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertContact = db.prepare(
      `INSERT INTO contacts (account_id, is_primary, first_name, last_name, email, phone, street, city, postcode, country)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertUserPackage = db.prepare(
      `INSERT INTO user_packages (account_id, package_id, price_plan_id, discount_id, quantity, status, start_date, next_bill_date, provisioning_status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertUsage = db.prepare('INSERT INTO usage_records (account_id, usage_date, minutes) VALUES (?, ?, ?)');
    this.insertPaymentMethod = db.prepare(
      `INSERT INTO payment_methods (account_id, kind, processor, is_default, card_token, card_number, card_last4, card_expiry,
         bank_account_number, bank_routing_number, holder_name)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertBucket = db.prepare(
      'INSERT INTO minute_buckets (account_id, included_minutes, overage_mills, used_minutes, period_start) VALUES (?, ?, ?, 0, ?)',
    );
  }

  /** The id the next account will get (account numbers follow ids). */
  peekAccountId(): number {
    return this.nextAccountId;
  }

  account(row: AccountRow): number {
    const id = this.nextAccountId++;
    this.insertAccount.run(
      id,
      row.ownerId,
      row.parentId,
      accountNumberFor(id),
      row.name,
      row.status,
      row.billDay,
      row.autoPay ? 1 : 0,
      row.taxExempt ? 1 : 0,
      row.balanceCents,
      row.notes,
    );
    return id;
  }

  contact(accountId: number, row: ContactRow): void {
    this.insertContact.run(
      accountId,
      row.isPrimary ? 1 : 0,
      row.firstName,
      row.lastName,
      row.email,
      row.phone,
      row.street,
      row.city,
      row.postcode,
      row.country,
    );
  }

  userPackage(accountId: number, row: UserPackageRow): void {
    this.insertUserPackage.run(
      accountId,
      row.packageId,
      row.pricePlanId ?? null,
      row.discountId ?? null,
      row.quantity ?? 1,
      row.status ?? 'active',
      row.startDate,
      row.nextBillDate,
      row.provisioningPending ? 'pending' : 'done',
    );
  }

  usage(accountId: number, usageDate: string, minutes: number): void {
    this.insertUsage.run(accountId, usageDate, minutes);
  }

  paymentMethod(accountId: number, row: PaymentMethodRow): void {
    if (row.kind === 'card') {
      this.insertPaymentMethod.run(
        accountId, 'card', row.processor, row.token, row.number, row.number.slice(-4), row.expiry, null, null, row.holderName,
      );
    } else {
      this.insertPaymentMethod.run(
        accountId, 'echeck', row.processor, null, null, null, null, row.accountNumber, row.routingNumber, row.holderName,
      );
    }
  }

  minuteBucket(accountId: number, includedMinutes: number, overageMills: number, periodStart: string): void {
    this.insertBucket.run(accountId, includedMinutes, overageMills, periodStart);
  }
}

/** ACC- followed by the id, zero-padded to at least six digits. */
export function accountNumberFor(id: number): string {
  return `ACC-${String(id).padStart(6, '0')}`;
}
