import { readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { SeededRandom } from '../../sample-platform/generator/random.js';
import { addDays, addMonths, parseIsoDate } from '../../sample-platform/shared/dates.js';
import {
  DISCOUNTS, GATEWAYS, PACKAGES, PERMISSIONS, PLATFORM_DOMAIN, POOL_MINUTES, POOL_PACKAGE_ID, POOL_RATE,
  PRODUCTION_BILL_RUN_CONFIGURATION, PRODUCTION_RELEASE, ROLES, ROLE_GRANTS, STAFF, SWITCHES,
} from './catalogue.js';

/**
 * Bumped whenever the same options would give different data, so old samples are not reused.
 * 2: pool members indexed by pool (the adapter's `pools` query scanned every member once per pool).
 */
export const GENERATOR_VERSION = 2;

export interface GenerateOptions {
  readonly accounts: number;
  readonly seed: number;
  readonly billDate: string;
  readonly out: string;
}

const SCHEMA = new URL('../schema/schema.sql', import.meta.url);
const FIRST_NAMES = ['Ada', 'Bruno', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Luis', 'Mina', 'Noor', 'Oskar', 'Priya'];
const LAST_NAMES = ['Abbott', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gallagher', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura'];
const COMPANY_WORDS = ['Harbor', 'Summit', 'Maple', 'Granite', 'Cedar', 'Beacon', 'Orchard', 'Falcon'];
const CUSTOMER_DOMAINS = ['example.com', 'example.net', 'example.org'];

export function validateGenerateOptions(options: Omit<GenerateOptions, 'out'>): void {
  if (!Number.isInteger(options.accounts) || options.accounts < 12 || options.accounts > 2_000_000) {
    throw new UserError(`--accounts must be a whole number from 12 to 2000000 (got ${options.accounts}).`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0) throw new UserError(`--seed must be a whole number, 0 or more (got ${options.seed}).`);
  const date = parseIsoDate(options.billDate);
  if (date === undefined || date.day > 28) throw new UserError(`--bill-date must be a date YYYY-MM-DD on day 1 to 28 (got ${options.billDate}).`);
}

/** A moment on SQL Server's DATETIME shape, UTC: 'YYYY-MM-DD HH:MM:SS.sss'. */
function moment(date: string, time: string): string {
  return `${date} ${time}`;
}

/**
 * Writes a deterministic pre-bill-run snapshot: same options, same bytes of data. Users U000001 to
 * U000010 are built for the example plan's scenarios; the rest are random.
 */
export function generateSnapshot(options: GenerateOptions): void {
  validateGenerateOptions(options);
  rmSync(options.out, { force: true });
  const db = new Database(options.out);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(readFileSync(SCHEMA, 'utf8'));
  const random = new SeededRandom(options.seed);
  const generator = new Generator(db, random, options.billDate);
  db.transaction(() => {
    generator.referenceData();
    generator.fixedUsers();
    while (generator.userCount < options.accounts) generator.randomFamilyOrUser(options.accounts);
  })();
  db.close();
}

interface NewUser {
  readonly parent?: number;
  readonly status?: 'Active' | 'Closed';
  readonly autoPay?: boolean;
  readonly taxExempt?: boolean;
  readonly balance?: string;
}

class Generator {
  userCount = 0;
  private readonly insert: Record<string, Database.Statement>;
  private readonly lastMonth: string;

  constructor(private readonly db: Database.Database, private readonly random: SeededRandom, private readonly billDate: string) {
    this.lastMonth = addMonths(billDate, -1);
    const prepare = (sql: string): Database.Statement => db.prepare(sql);
    this.insert = {
      user: prepare('INSERT INTO [User] ([ID], [Name], [ParentUserID], [CompanyName], [Status], [AutoPay], [TaxExempt], [Balance], [CreatedDate]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      contact: prepare('INSERT INTO [Contact] ([UserID], [IsPrimary], [FirstName], [LastName], [Email], [Phone]) VALUES (?, ?, ?, ?, ?, ?)'),
      userPackage: prepare('INSERT INTO [UserPackage] ([UserID], [PackageID], [Quantity], [Status], [StartDate], [NextBillDate], [ProvisioningStatus]) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      tracking: prepare('INSERT INTO [UserServicePackageDiscountTracking] ([UserPackageID], [DiscountID], [StartDate], [TimesApplied], [LastAppliedDate]) VALUES (?, ?, ?, ?, ?)'),
      pool: prepare('INSERT INTO [BucketPoolGroup] ([OwnerUserID], [IncludedMinutes], [OverageRate], [UsedMinutes]) VALUES (?, ?, ?, 0)'),
      member: prepare('INSERT INTO [BucketPoolGroupMember] ([BucketPoolGroupID], [UserID]) VALUES (?, ?)'),
      usage: prepare('INSERT INTO [UsageRecord] ([UserID], [UsageDate], [Minutes], [Rated]) VALUES (?, ?, ?, 0)'),
      method: prepare('INSERT INTO [UserPaymentMethod] ([UserID], [Type], [Processor], [Token], [Last4], [ExpiryDate], [HolderName], [IsDefault]) VALUES (?, ?, ?, ?, ?, ?, ?, 1)'),
    };
  }

  referenceData(): void {
    const { db } = this;
    const pkg = db.prepare('INSERT INTO [Package] ([ID], [Name], [Description], [BillingPeriodMonths], [Amount], [IncludedMinutes], [OverageRate], [ProvisioningCode]) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const p of PACKAGES) pkg.run(p.id, p.name, p.description, p.months, Number(p.amount), p.includedMinutes, Number(p.overageRate), p.provisioningCode);
    const discount = db.prepare('INSERT INTO [Discount] ([ID], [Name], [Percentage]) VALUES (?, ?, ?)');
    for (const d of DISCOUNTS) discount.run(d.id, d.name, Number(d.percentage));

    const role = db.prepare('INSERT INTO [Role] ([ID], [Name]) VALUES (?, ?)');
    const permission = db.prepare('INSERT INTO [Permission] ([ID], [Name]) VALUES (?, ?)');
    const grant = db.prepare('INSERT INTO [RolePermission] ([RoleID], [PermissionID]) VALUES (?, ?)');
    ROLES.forEach((name, i) => role.run(i + 1, name));
    PERMISSIONS.forEach((name, i) => permission.run(i + 1, name));
    ROLES.forEach((name, i) => {
      for (const p of ROLE_GRANTS[name]) grant.run(i + 1, PERMISSIONS.indexOf(p) + 1);
    });
    const staff = db.prepare('INSERT INTO [StaffUser] ([ID], [LoginName], [Email], [IsActive], [PasswordHash]) VALUES (?, ?, ?, ?, ?)');
    const membership = db.prepare('INSERT INTO [StaffUserRole] ([StaffUserID], [RoleID]) VALUES (?, ?)');
    const directGrant = db.prepare('INSERT INTO [StaffUserPermission] ([StaffUserID], [PermissionID]) VALUES (?, ?)');
    STAFF.forEach((member, i) => {
      const login = `${(FIRST_NAMES[i] ?? 'staff').toLowerCase()}.${(LAST_NAMES[i] ?? 'user').toLowerCase()}`;
      staff.run(i + 1, login, `${login}@${PLATFORM_DOMAIN}`, member.active ? 1 : 0, `$2b$12$${this.random.alphanumeric(53)}`);
      for (const role of member.roles) membership.run(i + 1, ROLES.indexOf(role) + 1);
      for (const permission of member.grants) directGrant.run(i + 1, PERMISSIONS.indexOf(permission) + 1);
    });

    const setting = db.prepare('INSERT INTO [SystemSetting] ([Name], [Value]) VALUES (?, ?)');
    setting.run('Email.SmtpServer', `mail.${PLATFORM_DOMAIN}`);
    setting.run('Email.SmtpPort', '25');
    setting.run('Email.FromAddress', `invoices@${PLATFORM_DOMAIN}`);
    setting.run('Billing.TaxRate', '0.0825');
    setting.run('Billing.Currency', 'USD');
    for (const g of GATEWAYS) {
      setting.run(`PaymentGateway.${g.processor}.Url`, g.url);
      setting.run(`PaymentGateway.${g.processor}.ApiKey`, `live_${this.random.alphanumeric(32)}`);
    }
    setting.run('Provisioning.Switches', SWITCHES);

    const lastRun = db.prepare("INSERT INTO [BillRun] ([BillDate], [Release], [Status], [StartedDate], [FinishedDate], [UsersBilled]) VALUES (?, ?, 'Completed', ?, ?, 0)")
      .run(this.lastMonth, PRODUCTION_RELEASE, moment(this.lastMonth, '02:00:00.000'), moment(this.lastMonth, '02:37:12.000')).lastInsertRowid;
    const runSetting = db.prepare('INSERT INTO [BillRunSetting] ([BillRunID], [Name], [Value]) VALUES (?, ?, ?)');
    for (const [name, value] of Object.entries(PRODUCTION_BILL_RUN_CONFIGURATION)) runSetting.run(lastRun, name, value);
    const log = db.prepare('INSERT INTO [eventlog] ([Date], [Action], [Module], [Result], [UserID], [Message]) VALUES (?, ?, ?, ?, NULL, ?)');
    log.run(moment(this.lastMonth, '02:00:00.000'), 'Start', 'BillRun', 'Success', `Bill run for ${this.lastMonth} started`);
    log.run(moment(this.lastMonth, '02:21:40.000'), 'Charge', 'Payments', 'Warning', 'card declined (do not honor)');
    log.run(moment(this.lastMonth, '02:37:12.000'), 'Complete', 'BillRun', 'Success', `Bill run for ${this.lastMonth} completed`);
  }

  /** The users the example plan names (engageip-shaped-platform/README.md lists what each tests). */
  fixedUsers(): void {
    const d = this.billDate;
    // U000001: every period due, a tracked 10% discount, 537 minutes on a 500-minute plan, a pending installation.
    const u1 = this.user({ autoPay: true });
    this.card(u1, 'AuthorizeNet', addMonths(d, 14));
    const voice = this.userPackage(u1, 2, d);
    this.userPackage(u1, 5, d);
    this.userPackage(u1, 7, d);
    this.userPackage(u1, 8, d);
    this.userPackage(u1, 9, d, { pending: true });
    this.discount(voice, 1);
    this.usage(u1, [200, 337]);
    // U000002..U000005: a parent with a 1000-minute pool; children use 400, 350 and 300 minutes.
    const owner = this.user({});
    this.userPackage(owner, POOL_PACKAGE_ID, d);
    const pool = Number(this.insert.pool!.run(owner, POOL_MINUTES, Number(POOL_RATE)).lastInsertRowid);
    for (const minutes of [400, 350, 300]) {
      const child = this.user({ parent: owner });
      this.userPackage(child, 4, d);
      this.insert.member!.run(pool, child);
      this.usage(child, [minutes]);
    }
    // U000006: auto-pay on a card that expired two months before the bill date.
    const u6 = this.user({ autoPay: true });
    this.card(u6, 'Moneris', addMonths(d, -2));
    this.userPackage(u6, 5, d);
    // U000007: closed, although its packages are still active and due.
    this.userPackage(this.user({ status: 'Closed' }), 5, d);
    // U000008: billed on another day of the month.
    this.userPackage(this.user({}), 5, addDays(d, 14));
    // U000009: auto-pay by ACH.
    const u9 = this.user({ autoPay: true });
    this.insert.method!.run(u9, 'ACH', 'AuthorizeNet', null, '6789', null, this.holder());
    this.userPackage(u9, 6, d);
    // U000010: 50% off 59.97, a discount of exactly 29.985.
    this.discount(this.userPackage(this.user({}), 6, d), 3);
  }

  randomFamilyOrUser(limit: number): void {
    const r = this.random;
    if (r.chance(0.04) && limit - this.userCount >= 4) {
      const parent = this.randomUser({});
      const pooled = r.chance(0.5);
      const pool = pooled ? Number(this.insert.pool!.run(parent, POOL_MINUTES, Number(POOL_RATE)).lastInsertRowid) : undefined;
      if (pool !== undefined) this.userPackage(parent, POOL_PACKAGE_ID, this.billDate);
      for (let i = r.int(1, 3); i > 0; i--) {
        const child = this.randomUser({ parent });
        if (pool !== undefined) this.insert.member!.run(pool, child);
      }
      return;
    }
    this.randomUser({});
  }

  private randomUser(shape: NewUser): number {
    const r = this.random;
    const autoPay = r.chance(0.4);
    const id = this.user({ ...shape, status: r.chance(0.03) ? 'Closed' : 'Active', autoPay, taxExempt: r.chance(0.08), balance: (r.int(0, 9000) / 100).toFixed(2) });
    if (autoPay) {
      if (r.chance(0.12)) this.insert.method!.run(id, 'ACH', r.pick(GATEWAYS).processor, null, r.digits(4), null, this.holder());
      else this.card(id, r.pick(GATEWAYS).processor, addMonths(this.billDate, r.chance(0.05) ? -r.int(1, 6) : r.int(1, 30)));
    }
    // About 85% are billed on the bill date; the rest on another day this month.
    const due = r.chance(0.85) ? this.billDate : addDays(this.billDate, r.int(1, 20));
    const voice = shape.parent !== undefined ? 4 : r.pick([1, 2, 2, 5, 6]);
    const main = this.userPackage(id, voice, due, { quantity: voice === 4 && r.chance(0.2) ? 2 : 1 });
    if (r.chance(0.12)) this.discount(main, r.pick(DISCOUNTS).id);
    if (r.chance(0.3)) this.userPackage(id, r.pick([4, 5]), due);
    if (r.chance(0.1)) this.userPackage(id, r.pick([7, 8]), due);
    if (r.chance(0.05)) this.userPackage(id, r.pick([9, 10]), due, { pending: true });
    if (r.chance(0.05)) this.userPackage(id, 5, due, { pending: true });
    if (r.chance(0.03)) this.userPackage(id, 6, null, { status: 'Cancelled' });
    if (voice <= 2 || shape.parent !== undefined) this.usage(id, Array.from({ length: r.int(1, 3) }, () => r.int(20, 260)));
    return id;
  }

  private user(shape: NewUser): number {
    const id = ++this.userCount;
    const name = `U${String(id).padStart(6, '0')}`;
    const company = `${this.random.pick(COMPANY_WORDS)} ${this.random.pick(COMPANY_WORDS)} ${this.random.pick(['LLC', 'Inc', 'Co'])}`;
    this.insert.user!.run(id, name, shape.parent ?? null, company, shape.status ?? 'Active', shape.autoPay ? 1 : 0, shape.taxExempt ? 1 : 0,
      Number(shape.balance ?? '0'), moment(addMonths(this.billDate, -this.random.int(2, 60)), '10:15:00.000'));
    const contacts = this.random.chance(0.2) ? 2 : 1;
    for (let c = 0; c < contacts; c++) {
      const first = this.random.pick(FIRST_NAMES);
      const last = this.random.pick(LAST_NAMES);
      const email = `${first}.${last}${this.random.digits(3)}@${this.random.pick(CUSTOMER_DOMAINS)}`.toLowerCase();
      this.insert.contact!.run(id, c === 0 ? 1 : 0, first, last, email, `+1-555-${this.random.digits(3)}-${this.random.digits(4)}`);
    }
    return id;
  }

  private holder(): string {
    return `${this.random.pick(FIRST_NAMES)} ${this.random.pick(LAST_NAMES)}`;
  }

  /** A card kept as the gateway's token and its last four digits; those ending 0002 are declined by the gateways' test rule. */
  private card(userId: number, processor: string, expiry: string): void {
    const last4 = this.random.chance(0.04) ? '0002' : this.random.digits(4);
    this.insert.method!.run(userId, 'CreditCard', processor, `tok_${this.random.alphanumeric(24)}`, last4, `${expiry.slice(0, 7)}-01`, this.holder());
  }

  private userPackage(userId: number, packageId: number, nextBillDate: string | null, options: { pending?: boolean; quantity?: number; status?: string } = {}): number {
    return Number(this.insert.userPackage!.run(userId, packageId, options.quantity ?? 1, options.status ?? 'Active',
      addMonths(this.billDate, -this.random.int(1, 24)), nextBillDate, options.pending ? 'Pending' : 'Provisioned').lastInsertRowid);
  }

  private discount(userPackageId: number, discountId: number): void {
    const applied = this.random.int(1, 11);
    this.insert.tracking!.run(userPackageId, discountId, addMonths(this.billDate, -applied), applied, this.lastMonth);
  }

  private usage(userId: number, minutes: readonly number[]): void {
    minutes.forEach((m, i) => this.insert.usage!.run(userId, moment(addDays(this.lastMonth, i * 9 + 2), '13:30:00.000'), m));
  }
}
