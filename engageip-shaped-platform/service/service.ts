import type Database from 'better-sqlite3';
import { UserBiller, now, type BillRunRequest, type BilledUser } from './bill-run.js';
import { parseRunConfiguration } from './configuration.js';
import { asMajor, fromUnits } from './money.js';
import { Mailer, charge, provision, readSettings, runLimited, type Settings } from './outbound.js';
import type { Release } from './releases.js';

const OUTBOUND_AT_ONCE = 8;

/**
 * One bill-run request, start to end: the users due are billed one transaction each, then their
 * invoices are provisioned, mailed and charged over the network as the request asks, and the
 * request and the BillRun row say how it went. The run records the configuration it used.
 */
export async function runRequest(db: Database.Database, release: Release, request: BillRunRequest, say: (line: string) => void): Promise<void> {
  const billDate = request.BillDate.slice(0, 10);
  const configuration = parseRunConfiguration(request.Configuration);
  const due = (db.prepare(`SELECT u.[ID] FROM [User] u WHERE u.[Status] = 'Active' AND EXISTS (
      SELECT 1 FROM [UserPackage] up WHERE up.[UserID] = u.[ID] AND up.[Status] = 'Active' AND up.[NextBillDate] <= ?) ORDER BY u.[ID]`).all(billDate) as { ID: number }[]).map((r) => r.ID);
  const log = db.prepare('INSERT INTO [eventlog] ([Date], [Action], [Module], [Result], [UserID], [Message]) VALUES (?, ?, ?, ?, ?, ?)');
  const billRunId = Number(db.prepare("INSERT INTO [BillRun] ([BillDate], [Release], [Status], [StartedDate], [UsersBilled]) VALUES (?, ?, 'Running', ?, 0)")
    .run(billDate, release.version, now()).lastInsertRowid);
  db.prepare("UPDATE [BillRunRequest] SET [Status] = 'Running', [Total] = ?, [BillRunID] = ? WHERE [ID] = ?").run(due.length, billRunId, request.ID);
  const setting = db.prepare('INSERT INTO [BillRunSetting] ([BillRunID], [Name], [Value]) VALUES (?, ?, ?)');
  for (const [name, value] of Object.entries(configuration)) setting.run(billRunId, name, value);
  log.run(now(), 'Start', 'BillRun', 'Success', null, `Bill run for ${billDate} started (${release.version})`);
  say(`bill run ${billRunId} for ${billDate}: ${due.length} users due`);
  if (release.switches.has('readonly-role-gains-refund')) {
    db.prepare("INSERT OR IGNORE INTO [RolePermission] ([RoleID], [PermissionID]) SELECT r.[ID], p.[ID] FROM [Role] r, [Permission] p WHERE r.[Name] = 'ReadOnly' AND p.[Name] = 'Payment.Refund'").run();
  }
  if (release.switches.has('staff-direct-grant-revoked')) {
    db.prepare('DELETE FROM [StaffUserPermission] WHERE [StaffUserID] = (SELECT MIN([StaffUserID]) FROM [StaffUserPermission])').run();
  }
  if (release.switches.has('staff-direct-grant-added')) {
    // The first active login whose only role is ReadOnly is granted Payment.Refund directly.
    db.prepare(`INSERT OR IGNORE INTO [StaffUserPermission] ([StaffUserID], [PermissionID])
      SELECT (SELECT MIN(s.[ID]) FROM [StaffUser] s WHERE s.[IsActive] = 1
                AND EXISTS (SELECT 1 FROM [StaffUserRole] sr JOIN [Role] r ON r.[ID] = sr.[RoleID] WHERE sr.[StaffUserID] = s.[ID] AND r.[Name] = 'ReadOnly')
                AND NOT EXISTS (SELECT 1 FROM [StaffUserRole] sr JOIN [Role] r ON r.[ID] = sr.[RoleID] WHERE sr.[StaffUserID] = s.[ID] AND r.[Name] <> 'ReadOnly')),
             p.[ID] FROM [Permission] p WHERE p.[Name] = 'Payment.Refund'`).run();
  }

  const biller = new UserBiller(db, release, billDate, configuration);
  const progress = db.prepare('UPDATE [BillRunRequest] SET [Processed] = ? WHERE [ID] = ?');
  const billed: BilledUser[] = [];
  due.forEach((userId, index) => {
    billed.push(biller.bill(userId, index));
    progress.run(index + 1, request.ID);
  });

  const settings = readSettings(db.prepare('SELECT [Name], [Value] FROM [SystemSetting]').all() as { Name: string; Value: string | null }[]);
  const outbound = new Outbound(db, release, settings, billDate, log);
  try {
    await runLimited(billed.map((user) => () => outbound.send(user, request)), OUTBOUND_AT_ONCE);
  } finally {
    outbound.close();
  }
  db.prepare("UPDATE [BillRun] SET [Status] = 'Completed', [FinishedDate] = ?, [UsersBilled] = ? WHERE [ID] = ?").run(now(), billed.length, billRunId);
  log.run(now(), 'Complete', 'BillRun', 'Success', null, `Bill run for ${billDate} completed`);
  db.prepare("UPDATE [BillRunRequest] SET [Status] = 'Completed' WHERE [ID] = ?").run(request.ID);
  say(`bill run ${billRunId} completed: ${billed.length} users billed`);
}

/** The `card-expired-warnings-few` switch: this many cards that have not expired are logged as expired. */
const EXTRA_EXPIRY_WARNINGS = 3;

/** Provisioning, mail and payment for one billed user, each recorded in the database as it ends. */
class Outbound {
  private readonly mailer: Mailer;
  private readonly s: Record<string, Database.Statement>;
  private extraExpiryWarnings = 0;

  constructor(db: Database.Database, private readonly release: Release, private readonly settings: Settings, private readonly billDate: string, private readonly log: Database.Statement) {
    this.mailer = new Mailer(settings);
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      pending: p(`SELECT up.[ID], COALESCE(pk.[ProvisioningCode], pk.[Name]) AS code FROM [UserPackage] up JOIN [Package] pk ON pk.[ID] = up.[PackageID]
                  WHERE up.[UserID] = ? AND up.[ProvisioningStatus] = 'Pending' AND up.[Status] <> 'Cancelled' ORDER BY up.[ID]`),
      provisioned: p("UPDATE [UserPackage] SET [ProvisioningStatus] = 'Provisioned' WHERE [ID] = ?"),
      contact: p('SELECT [Email] FROM [Contact] WHERE [UserID] = ? AND [IsPrimary] = ? AND [Email] IS NOT NULL ORDER BY [ID] LIMIT 1'),
      emailed: p('UPDATE [Invoice] SET [EmailedDate] = ? WHERE [InvoiceNumber] = ?'),
      method: p('SELECT [Type], [Processor], [Token], [Last4], [ExpiryDate] FROM [UserPaymentMethod] WHERE [UserID] = ? AND [IsDefault] = 1 ORDER BY [ID] LIMIT 1'),
      payment: p("INSERT INTO [Transaction] ([UserID], [Type], [Amount], [Reference], [TransactionDate]) VALUES (?, 'Payment', ?, ?, ?)"),
      balance: p('UPDATE [User] SET [Balance] = [Balance] - ? WHERE [ID] = ?'),
    };
  }

  async send(user: BilledUser, request: BillRunRequest): Promise<void> {
    if (request.Provision === 1) await this.provision(user);
    if (request.EmailInvoices === 1) await this.mail(user);
    if (request.ChargeAutoPay === 1 && user.autoPay && user.total > 0) await this.charge(user);
  }

  close(): void {
    this.mailer.close();
  }

  private async provision(user: BilledUser): Promise<void> {
    for (const pkg of this.s.pending!.all(user.userId) as { ID: number; code: string }[]) {
      if (this.release.switches.has('provisioning-not-sent')) continue;
      try {
        for (const target of this.settings.switches) await provision(target, `<provision user="${user.name}" service="${pkg.code}" action="activate"/>\n`);
        this.s.provisioned!.run(pkg.ID);
      } catch (error) {
        this.log.run(now(), 'Activate', 'Provisioning', 'Warning', user.userId, `${pkg.code}: ${(error as Error).message}`);
      }
    }
  }

  private async mail(user: BilledUser): Promise<void> {
    const primary = this.release.switches.has('mail-to-secondary-contact') ? (this.s.contact!.get(user.userId, 0) ?? this.s.contact!.get(user.userId, 1)) : this.s.contact!.get(user.userId, 1);
    const to = (primary as { Email: string } | undefined)?.Email;
    if (to === undefined) return;
    try {
      await this.mailer.send(to, `Invoice ${user.invoiceNumber}`, `Your invoice ${user.invoiceNumber} for ${this.billDate}: ${asMajor(user.total)} ${this.settings.currency} due.\n`);
      this.s.emailed!.run(now(), user.invoiceNumber);
    } catch (error) {
      this.log.run(now(), 'Send', 'Email', 'Failed', user.userId, `${user.invoiceNumber}: ${(error as Error).message}`);
    }
  }

  private async charge(user: BilledUser): Promise<void> {
    const method = this.s.method!.get(user.userId) as { Type: string; Processor: string; Token: string | null; Last4: string; ExpiryDate: string | null } | undefined;
    if (method === undefined) return;
    if (method.Type === 'CreditCard' && method.ExpiryDate !== null && method.ExpiryDate.slice(0, 7) < this.billDate.slice(0, 7)) {
      this.log.run(now(), 'Charge', 'Payments', 'Warning', user.userId, `${user.invoiceNumber}: card expired`);
      return;
    }
    // The candidate misreads a few valid expiry dates: it warns, yet charges the card as before.
    if (this.release.switches.has('card-expired-warnings-few') && method.Type === 'CreditCard' && this.extraExpiryWarnings < EXTRA_EXPIRY_WARNINGS) {
      this.extraExpiryWarnings++;
      this.log.run(now(), 'Charge', 'Payments', 'Warning', user.userId, `${user.invoiceNumber}: card expired`);
    }
    const gateway = this.settings.gateways.get(method.Processor);
    if (gateway === undefined) return;
    try {
      const answer = await charge(gateway, { invoice: user.invoiceNumber, amount: asMajor(user.total), currency: this.settings.currency, last4: method.Last4, method: method.Type, token: method.Token });
      if (answer.approved) {
        this.s.payment!.run(user.userId, -fromUnits(user.total), user.invoiceNumber, now());
        this.s.balance!.run(fromUnits(user.total), user.userId);
      } else {
        this.log.run(now(), 'Charge', 'Payments', 'Warning', user.userId, `${user.invoiceNumber}: declined (${answer.reason})`);
      }
    } catch (error) {
      this.log.run(now(), 'Charge', 'Payments', 'Failed', user.userId, `${user.invoiceNumber}: ${(error as Error).message}`);
    }
  }
}
