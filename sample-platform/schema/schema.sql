-- The sample billing platform: a small, honest stand-in for an EngageIP-class system.
-- Money is held in integer cents; usage rates in mills (tenths of a cent) so that rating really
-- produces half cents and the rounding rule matters, as it does on the real platform.

CREATE TABLE owners (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES owners(id),
  parent_id INTEGER REFERENCES accounts(id),
  account_number TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
  bill_day INTEGER NOT NULL CHECK (bill_day BETWEEN 1 AND 28),
  auto_pay INTEGER NOT NULL DEFAULT 0,
  tax_exempt INTEGER NOT NULL DEFAULT 0,
  balance_cents INTEGER NOT NULL DEFAULT 0,
  notes TEXT
);
CREATE INDEX accounts_parent ON accounts(parent_id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  is_primary INTEGER NOT NULL DEFAULT 1,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  street TEXT,
  city TEXT,
  postcode TEXT,
  country TEXT
);
CREATE INDEX contacts_account ON contacts(account_id);

CREATE TABLE packages (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  period TEXT NOT NULL CHECK (period IN ('monthly', 'yearly', 'once')),
  price_cents INTEGER NOT NULL,
  included_minutes INTEGER NOT NULL DEFAULT 0,
  overage_mills INTEGER NOT NULL DEFAULT 0,
  provisioning_code TEXT
);

CREATE TABLE price_plans (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  package_id INTEGER NOT NULL REFERENCES packages(id),
  price_cents INTEGER NOT NULL
);

CREATE TABLE discounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  percent INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100)
);

-- A package as sold to one account. provisioning_status 'pending' marks a package change that
-- the next bill run pushes to the switches.
CREATE TABLE user_packages (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  package_id INTEGER NOT NULL REFERENCES packages(id),
  price_plan_id INTEGER REFERENCES price_plans(id),
  discount_id INTEGER REFERENCES discounts(id),
  quantity INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'completed')),
  start_date TEXT NOT NULL,
  next_bill_date TEXT,
  provisioning_status TEXT NOT NULL DEFAULT 'done' CHECK (provisioning_status IN ('done', 'pending'))
);
CREATE INDEX user_packages_account ON user_packages(account_id);

-- Minutes pooled across a parent's children: the parent owns the bucket, children's usage draws on it.
CREATE TABLE minute_buckets (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id),
  included_minutes INTEGER NOT NULL,
  overage_mills INTEGER NOT NULL,
  used_minutes INTEGER NOT NULL DEFAULT 0,
  period_start TEXT
);

CREATE TABLE usage_records (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  usage_date TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  rated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX usage_records_account ON usage_records(account_id, rated);

CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  invoice_number TEXT NOT NULL UNIQUE,
  bill_date TEXT NOT NULL,
  subtotal_cents INTEGER NOT NULL,
  discount_cents INTEGER NOT NULL,
  tax_cents INTEGER NOT NULL,
  total_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX invoices_account ON invoices(account_id, bill_date);

CREATE TABLE invoice_items (
  id INTEGER PRIMARY KEY,
  invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  user_package_id INTEGER REFERENCES user_packages(id),
  kind TEXT NOT NULL CHECK (kind IN ('recurring', 'one-time', 'usage', 'discount', 'tax')),
  description TEXT NOT NULL,
  amount_cents INTEGER NOT NULL
);
CREATE INDEX invoice_items_invoice ON invoice_items(invoice_id);

CREATE TABLE transactions (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'payment', 'adjustment')),
  amount_cents INTEGER NOT NULL,
  reference TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX transactions_account ON transactions(account_id);

CREATE TABLE payment_methods (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('card', 'echeck')),
  processor TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 1,
  card_token TEXT,
  card_number TEXT,
  card_last4 TEXT,
  card_expiry TEXT,
  bank_account_number TEXT,
  bank_routing_number TEXT,
  holder_name TEXT
);
CREATE INDEX payment_methods_account ON payment_methods(account_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE event_log (
  id INTEGER PRIMARY KEY,
  logged_at TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  module TEXT NOT NULL,
  action TEXT NOT NULL,
  result TEXT NOT NULL,
  account_id INTEGER,
  message TEXT
);

CREATE TABLE roles (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE permissions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE role_permissions (
  role_id INTEGER NOT NULL REFERENCES roles(id),
  permission_id INTEGER NOT NULL REFERENCES permissions(id),
  PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE staff_users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  role_id INTEGER NOT NULL REFERENCES roles(id),
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1
);

-- Permissions granted to one staff user directly, beside those of their role.
CREATE TABLE staff_user_permissions (
  staff_user_id INTEGER NOT NULL REFERENCES staff_users(id),
  permission_id INTEGER NOT NULL REFERENCES permissions(id),
  PRIMARY KEY (staff_user_id, permission_id)
);

-- The platform's own record of bill runs and its schema release.
CREATE TABLE bill_runs (
  id INTEGER PRIMARY KEY,
  bill_date TEXT NOT NULL,
  release TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  accounts_billed INTEGER NOT NULL DEFAULT 0
);

-- The configuration each bill run ran with (every item, defaults included), one row per item.
CREATE TABLE bill_run_settings (
  bill_run_id INTEGER NOT NULL REFERENCES bill_runs(id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (bill_run_id, name)
);

CREATE TABLE platform_info (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
