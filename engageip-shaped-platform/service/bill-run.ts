import type Database from 'better-sqlite3';
import { addMonths } from '../../sample-platform/shared/dates.js';
import { fromUnits, roundToCent, toUnits } from './money.js';
import type { RunConfiguration } from './configuration.js';
import type { Release } from './releases.js';

/** What a bill-run request row asks for. */
export interface BillRunRequest {
  readonly ID: number;
  readonly BillDate: string;
  readonly EmailInvoices: number;
  readonly ChargeAutoPay: number;
  readonly Provision: number;
  /** JSON: item name to value (engageip-shaped-platform/service/configuration.ts). */
  readonly Configuration: string;
}

/** An invoice the outbound phase must mail, charge or provision for. */
export interface BilledUser {
  readonly userId: number;
  readonly name: string;
  readonly invoiceNumber: string;
  readonly total: number;
  readonly autoPay: boolean;
}

interface DuePackage {
  readonly ID: number;
  readonly BillingPeriodMonths: number;
  readonly Amount: number;
  readonly Quantity: number;
  readonly IncludedMinutes: number;
  readonly OverageRate: number;
  readonly Name: string;
  readonly NextBillDate: string;
}

/** A moment as SQL Server's DATETIME shows it, UTC. */
export function now(): string {
  return new Date().toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * Bills one user in one transaction: every due package (with its tracked discount), usage
 * (pooled across a bucket pool group for its owner), tax, the invoice, its transaction and the
 * balance. Exact halves of a cent round away from zero.
 */
export class UserBiller {
  private readonly s: Record<string, Database.Statement>;
  private readonly taxRate: number;

  constructor(
    private readonly db: Database.Database,
    private readonly release: Release,
    private readonly billDate: string,
    private readonly configuration: RunConfiguration,
  ) {
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      user: p('SELECT [ID], [Name], [TaxExempt], [AutoPay] FROM [User] WHERE [ID] = ?'),
      due: p(`SELECT up.[ID], pk.[BillingPeriodMonths], pk.[Amount], up.[Quantity], pk.[IncludedMinutes], pk.[OverageRate], pk.[Name], up.[NextBillDate]
              FROM [UserPackage] up JOIN [Package] pk ON pk.[ID] = up.[PackageID]
              WHERE up.[UserID] = ? AND up.[Status] = 'Active' AND up.[NextBillDate] <= ? ORDER BY up.[ID]`),
      discount: p(`SELECT t.[ID], d.[Percentage] FROM [UserServicePackageDiscountTracking] t JOIN [Discount] d ON d.[ID] = t.[DiscountID]
                   WHERE t.[UserPackageID] = ? AND t.[StartDate] <= ?`),
      track: p('UPDATE [UserServicePackageDiscountTracking] SET [TimesApplied] = [TimesApplied] + 1, [LastAppliedDate] = ? WHERE [ID] = ?'),
      advance: p('UPDATE [UserPackage] SET [NextBillDate] = ? WHERE [ID] = ?'),
      complete: p("UPDATE [UserPackage] SET [Status] = 'Completed', [NextBillDate] = NULL WHERE [ID] = ?"),
      ownedPool: p('SELECT [ID], [IncludedMinutes], [OverageRate] FROM [BucketPoolGroup] WHERE [OwnerUserID] = ?'),
      member: p('SELECT 1 FROM [BucketPoolGroupMember] WHERE [UserID] = ?'),
      poolUsers: p('SELECT [UserID] FROM [BucketPoolGroupMember] WHERE [BucketPoolGroupID] = ?'),
      unrated: p('SELECT COALESCE(SUM([Minutes]), 0) AS minutes FROM [UsageRecord] WHERE [UserID] = ? AND [Rated] = 0 AND [UsageDate] < ?'),
      rate: p('UPDATE [UsageRecord] SET [Rated] = 1 WHERE [UserID] = ? AND [Rated] = 0 AND [UsageDate] < ?'),
      poolUsed: p('UPDATE [BucketPoolGroup] SET [UsedMinutes] = ? WHERE [ID] = ?'),
      monthlyAllowance: p(`SELECT COALESCE(SUM(pk.[IncludedMinutes] * up.[Quantity]), 0) AS minutes, COALESCE(MAX(pk.[OverageRate]), 0) AS rate
                           FROM [UserPackage] up JOIN [Package] pk ON pk.[ID] = up.[PackageID]
                           WHERE up.[UserID] = ? AND up.[Status] = 'Active' AND pk.[BillingPeriodMonths] = 1`),
      invoice: p(`INSERT INTO [Invoice] ([UserID], [InvoiceNumber], [BillDate], [SubTotal], [DiscountTotal], [TaxTotal], [Total], [CreatedDate])
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      charge: p('INSERT INTO [InvoiceCharge] ([InvoiceID], [UserPackageID], [ChargeType], [Amount], [Description]) VALUES (?, ?, ?, ?, ?)'),
      transaction: p("INSERT INTO [Transaction] ([UserID], [Type], [Amount], [Reference], [TransactionDate]) VALUES (?, 'Invoice', ?, ?, ?)"),
      balance: p('UPDATE [User] SET [Balance] = [Balance] + ? WHERE [ID] = ?'),
      log: p('INSERT INTO [eventlog] ([Date], [Action], [Module], [Result], [UserID], [Message]) VALUES (?, ?, ?, ?, ?, ?)'),
    };
    const setting = db.prepare("SELECT [Value] FROM [SystemSetting] WHERE [Name] = 'Billing.TaxRate'").get() as { Value: string } | undefined;
    this.taxRate = Number(setting?.Value ?? '0');
  }

  bill(userId: number, sequence: number): BilledUser {
    return this.db.transaction(() => this.billInTransaction(userId, sequence))();
  }

  private billInTransaction(userId: number, sequence: number): BilledUser {
    const { s, billDate } = this;
    const user = s.user!.get(userId) as { ID: number; Name: string; TaxExempt: number; AutoPay: number };
    const charges: { upId: number | null; type: string; units: number; description: string }[] = [];
    for (const pkg of s.due!.all(userId, billDate) as DuePackage[]) {
      const base = toUnits(pkg.Amount) * pkg.Quantity;
      charges.push({ upId: pkg.ID, type: pkg.BillingPeriodMonths === 0 ? 'OneTime' : 'Recurring', units: base, description: this.description(pkg) });
      for (const tracked of s.discount!.all(pkg.ID, billDate) as { ID: number; Percentage: number }[]) {
        charges.push({ upId: pkg.ID, type: 'Discount', units: -roundToCent((base * toUnits(tracked.Percentage)) / 1_000_000), description: `${pkg.Name} discount` });
        if (!this.release.switches.has('discount-tracking-not-updated')) s.track!.run(billDate, tracked.ID);
      }
      if (pkg.BillingPeriodMonths === 0) s.complete!.run(pkg.ID);
      else s.advance!.run(addMonths(pkg.NextBillDate.slice(0, 10), pkg.BillingPeriodMonths), pkg.ID);
    }
    const usage = this.usageCharge(userId);
    if (usage > 0) charges.push({ upId: null, type: 'Usage', units: usage, description: 'Usage above the included minutes' });
    const itemsTotal = charges.reduce((sum, c) => sum + c.units, 0);
    const tax = user.TaxExempt === 1 ? 0 : roundToCent((itemsTotal * toUnits(this.taxRate)) / 10_000);
    if (tax !== 0) charges.push({ upId: null, type: 'Tax', units: tax, description: this.configuration['Invoice.TaxChargeDescription'] });

    const subTotal = charges.filter((c) => c.type !== 'Discount' && c.type !== 'Tax').reduce((sum, c) => sum + c.units, 0);
    const discountTotal = -charges.filter((c) => c.type === 'Discount').reduce((sum, c) => sum + c.units, 0);
    const total = subTotal - discountTotal + tax;
    const invoiceNumber = `IN${billDate.replaceAll('-', '')}-${user.Name}`;
    const created = now();
    const invoiceId = Number(s.invoice!.run(userId, invoiceNumber, billDate, fromUnits(subTotal), fromUnits(discountTotal), fromUnits(tax), fromUnits(total), created).lastInsertRowid);
    for (const c of charges) s.charge!.run(invoiceId, c.upId, c.type, fromUnits(c.units), c.description);
    s.transaction!.run(userId, fromUnits(total), invoiceNumber, created);
    s.balance!.run(fromUnits(total), userId);
    if (this.release.switches.has('eventlog-failed-result') && sequence % 50 === 0) {
      s.log!.run(now(), 'Render', 'Invoices', 'Failed', userId, `System.NullReferenceException: Object reference not set to an instance of an object (${invoiceNumber})`);
    }
    return { userId, name: user.Name, invoiceNumber, total, autoPay: user.AutoPay === 1 };
  }

  /** The package's charge text; with `Invoice.ShowServicePeriod`, the period a recurring package is billed for. */
  private description(pkg: DuePackage): string {
    if (this.configuration['Invoice.ShowServicePeriod'] !== 'True' || pkg.BillingPeriodMonths === 0) return pkg.Name;
    const from = pkg.NextBillDate.slice(0, 10);
    return `${pkg.Name} (${from} to ${addMonths(from, pkg.BillingPeriodMonths)})`;
  }

  /** Usage above the allowance in ten-thousandths; a pool owner pays its whole group's overage, its members none. */
  private usageCharge(userId: number): number {
    const { s, billDate } = this;
    const pool = s.ownedPool!.get(userId) as { ID: number; IncludedMinutes: number; OverageRate: number } | undefined;
    if (pool !== undefined) {
      const members = [userId, ...(s.poolUsers!.all(pool.ID) as { UserID: number }[]).map((m) => m.UserID)];
      const minutes = members.map((id) => (s.unrated!.get(id, billDate) as { minutes: number }).minutes);
      for (const id of members) s.rate!.run(id, billDate);
      const used = minutes.reduce((a, b) => a + b, 0);
      s.poolUsed!.run(used, pool.ID);
      const overage = this.release.switches.has('pool-overage-per-member')
        ? minutes.slice(1).reduce((sum, m) => sum + Math.max(0, m - pool.IncludedMinutes), 0)
        : Math.max(0, used - pool.IncludedMinutes);
      return roundToCent(overage * toUnits(pool.OverageRate));
    }
    if (s.member!.get(userId) !== undefined) return 0;
    const used = (s.unrated!.get(userId, billDate) as { minutes: number }).minutes;
    s.rate!.run(userId, billDate);
    const allowance = s.monthlyAllowance!.get(userId) as { minutes: number; rate: number };
    return roundToCent(Math.max(0, used - allowance.minutes) * toUnits(allowance.rate));
  }
}
