import type Database from 'better-sqlite3';
import { addDays, addMonths } from '../shared/dates.js';
import {
  DISCOUNTS,
  GATEWAY_URLS,
  OWNERS,
  PACKAGES,
  PERMISSIONS,
  PLATFORM_DOMAIN,
  PRICE_PLANS,
  PROCESSORS,
  PRODUCTION_BILL_RUN_CONFIGURATION,
  ROLES,
  ROLE_GRANTS,
  packageByCode,
} from './catalogue.js';
import type { PeopleFaker } from './people.js';
import type { SeededRandom } from './random.js';

export const PRODUCTION_RELEASE = '7.4.2';

/** Catalogue, settings, staff, roles and platform info: everything that is not per account. */
export function writeReferenceData(db: Database.Database, random: SeededRandom, people: PeopleFaker, billDate: string): void {
  const owner = db.prepare('INSERT INTO owners (id, name) VALUES (?, ?)');
  for (const o of OWNERS) owner.run(o.id, o.name);

  const pkg = db.prepare(
    `INSERT INTO packages (id, code, name, period, price_cents, included_minutes, overage_mills, provisioning_code)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of PACKAGES) {
    pkg.run(p.id, p.code, p.name, p.period, p.priceCents, p.includedMinutes, p.overageMills, p.provisioningCode);
  }
  const plan = db.prepare('INSERT INTO price_plans (id, name, package_id, price_cents) VALUES (?, ?, ?, ?)');
  for (const p of PRICE_PLANS) plan.run(p.id, p.name, packageByCode(p.packageCode).id, p.priceCents);
  const discount = db.prepare('INSERT INTO discounts (id, name, percent) VALUES (?, ?, ?)');
  for (const d of DISCOUNTS) discount.run(d.id, d.name, d.percent);

  writeSettings(db, random);
  writeStaff(db, random, people);
  writeHistory(db, billDate);

  const info = db.prepare('INSERT INTO platform_info (key, value) VALUES (?, ?)');
  info.run('release', PRODUCTION_RELEASE);
  info.run('schema', 'sample-1');
}

function writeSettings(db: Database.Database, random: SeededRandom): void {
  const setting = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  setting.run('smtp.host', `mail.${PLATFORM_DOMAIN}`);
  setting.run('smtp.port', '25');
  setting.run('smtp.from', `billing@${PLATFORM_DOMAIN}`);
  setting.run('billing.tax_rate_bp', '825');
  setting.run('billing.currency', 'USD');
  for (const processor of PROCESSORS) {
    setting.run(`gateway.${processor}.url`, GATEWAY_URLS[processor]);
    setting.run(`gateway.${processor}.api_key`, `sk_live_${random.alphanumeric(32)}`);
  }
  setting.run('provisioning.hosts', '192.0.2.10:2208,192.0.2.11:5060');
  setting.run('provisioning.protocol', 'ocip');
  // The reporting database, as platforms keep it in settings: a production host inside a connection string.
  setting.run('reporting.connection', `Server=billing-db01.${PLATFORM_DOMAIN},1433;Database=BillingReports;User Id=report_reader;Password=sample-not-a-secret;Encrypt=true`);
}

function writeStaff(db: Database.Database, random: SeededRandom, people: PeopleFaker): void {
  const role = db.prepare('INSERT INTO roles (id, name) VALUES (?, ?)');
  const permission = db.prepare('INSERT INTO permissions (id, name) VALUES (?, ?)');
  const grant = db.prepare('INSERT INTO role_permissions (role_id, permission_id) VALUES (?, ?)');
  ROLES.forEach((name, index) => role.run(index + 1, name));
  PERMISSIONS.forEach((name, index) => permission.run(index + 1, name));
  ROLES.forEach((name, roleIndex) => {
    for (const granted of ROLE_GRANTS[name]) grant.run(roleIndex + 1, PERMISSIONS.indexOf(granted) + 1);
  });

  const staff = db.prepare('INSERT INTO staff_users (username, email, role_id, password_hash, active) VALUES (?, ?, ?, ?, ?)');
  const roleOfStaff = [1, 1, 2, 2, 2, 3, 3, 3, 3, 4];
  // The ninth (a support agent who left) can no longer sign in; their account and grant stay.
  const inactive = new Set([9]);
  const taken = new Set<string>();
  for (const [index, roleId] of roleOfStaff.entries()) {
    const { first, last } = people.staffName();
    let username = `${first[0] ?? 'x'}${last}`.toLowerCase().replace(/[^a-z]/g, '');
    while (taken.has(username)) username += String(random.int(0, 9));
    taken.add(username);
    // Looks like bcrypt so scrubbers treat it as one; it is random characters, no password hashes to it.
    const hash = `$2b$12$${random.alphanumeric(53)}`;
    staff.run(username, `${username}@${PLATFORM_DOMAIN}`, roleId, hash, inactive.has(index + 1) ? 0 : 1);
  }
  const direct = db.prepare('INSERT INTO staff_user_permissions (staff_user_id, permission_id) VALUES (?, ?)');
  for (const [staffId, granted] of DIRECT_GRANTS) direct.run(staffId, PERMISSIONS.indexOf(granted) + 1);
}

/** Permissions given to one staff user beside their role's, as support desks do for a senior agent. */
const DIRECT_GRANTS: readonly (readonly [number, (typeof PERMISSIONS)[number]])[] = [
  [3, 'Staff.Manage'],
  [6, 'Payments.Refund'],
  [6, 'Invoices.Void'],
  [9, 'Settings.Edit'],
];

/** Last month's bill run and a few older log rows, as any live system has. */
function writeHistory(db: Database.Database, billDate: string): void {
  const lastRun = addMonths(billDate, -1);
  db.prepare(
    `INSERT INTO bill_runs (bill_date, release, status, started_at, finished_at, accounts_billed)
     VALUES (?, ?, 'completed', ?, ?, 0)`,
  ).run(lastRun, PRODUCTION_RELEASE, `${lastRun}T02:00:00.000Z`, `${lastRun}T02:41:17.000Z`);
  const setting = db.prepare('INSERT INTO bill_run_settings (bill_run_id, name, value) SELECT MAX(id), ?, ? FROM bill_runs');
  for (const [name, value] of Object.entries(PRODUCTION_BILL_RUN_CONFIGURATION)) setting.run(name, value);

  const log = db.prepare(
    'INSERT INTO event_log (logged_at, level, module, action, result, account_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  log.run(`${addDays(lastRun, -3)}T09:12:44.000Z`, 'info', 'Staff', 'Login', 'ok', null, 'Administrator signed in');
  log.run(`${lastRun}T02:00:00.000Z`, 'info', 'BillRun', 'Start', 'ok', null, `Bill run for ${lastRun} started`);
  log.run(`${lastRun}T02:19:03.000Z`, 'warning', 'Payments', 'Charge', 'failed', 8, 'card declined (insufficient funds)');
  log.run(`${lastRun}T02:27:51.000Z`, 'error', 'Email', 'Send', 'failed', null, 'SMTP 421 service not available; 14 invoices queued for retry');
  log.run(`${lastRun}T02:41:17.000Z`, 'info', 'BillRun', 'Complete', 'ok', null, `Bill run for ${lastRun} completed`);
  log.run(`${addDays(lastRun, 6)}T14:03:10.000Z`, 'info', 'Provisioning', 'Activate', 'ok', 3, 'BW-LINE activated');
}
