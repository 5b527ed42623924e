-- The sample billing platform on SQL Server: the same tables, columns and value shapes as
-- schema.sql, so the same queries read both. Money, minutes, ids and flags are INT (the driver
-- returns BIGINT as text, INT as a number, as SQLite does); text is NVARCHAR; dates and times are
-- the same ISO text as on SQLite ('2026-11-01', '2026-11-01T02:03:04.567Z'), so they compare and
-- concatenate alike. Every id is an IDENTITY; a loader keeps the ids it copies with IDENTITY_INSERT.
--
-- The database is created with COLLATE Latin1_General_100_BIN2 (see make-sample/load-into-mssql.ts):
-- text then compares and sorts by code point, as SQLite does, and tables the rehearsal creates in
-- it get the same collation as these columns. KEY and PERCENT are reserved words, hence [brackets].
-- One batch: nothing here has to start a batch of its own.

CREATE TABLE owners (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  name NVARCHAR(400) NOT NULL
);

CREATE TABLE accounts (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  owner_id INT NOT NULL REFERENCES owners (id),
  parent_id INT NULL REFERENCES accounts (id),
  account_number NVARCHAR(64) NOT NULL UNIQUE,
  name NVARCHAR(400) NOT NULL,
  status NVARCHAR(16) NOT NULL CHECK (status IN ('active', 'cancelled')),
  bill_day INT NOT NULL CHECK (bill_day BETWEEN 1 AND 28),
  auto_pay INT NOT NULL DEFAULT 0,
  tax_exempt INT NOT NULL DEFAULT 0,
  balance_cents INT NOT NULL DEFAULT 0,
  notes NVARCHAR(MAX) NULL
);
CREATE INDEX accounts_parent ON accounts (parent_id);

CREATE TABLE contacts (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  is_primary INT NOT NULL DEFAULT 1,
  first_name NVARCHAR(400) NOT NULL,
  last_name NVARCHAR(400) NOT NULL,
  email NVARCHAR(400) NULL,
  phone NVARCHAR(400) NULL,
  street NVARCHAR(400) NULL,
  city NVARCHAR(400) NULL,
  postcode NVARCHAR(400) NULL,
  country NVARCHAR(400) NULL
);
CREATE INDEX contacts_account ON contacts (account_id);

CREATE TABLE packages (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  code NVARCHAR(64) NOT NULL UNIQUE,
  name NVARCHAR(400) NOT NULL,
  period NVARCHAR(16) NOT NULL CHECK (period IN ('monthly', 'yearly', 'once')),
  price_cents INT NOT NULL,
  included_minutes INT NOT NULL DEFAULT 0,
  overage_mills INT NOT NULL DEFAULT 0,
  provisioning_code NVARCHAR(64) NULL
);

CREATE TABLE price_plans (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  name NVARCHAR(400) NOT NULL,
  package_id INT NOT NULL REFERENCES packages (id),
  price_cents INT NOT NULL
);

CREATE TABLE discounts (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  name NVARCHAR(400) NOT NULL,
  [percent] INT NOT NULL CHECK ([percent] BETWEEN 1 AND 100)
);

-- A package as sold to one account. provisioning_status 'pending' marks a package change that
-- the next bill run pushes to the switches.
CREATE TABLE user_packages (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  package_id INT NOT NULL REFERENCES packages (id),
  price_plan_id INT NULL REFERENCES price_plans (id),
  discount_id INT NULL REFERENCES discounts (id),
  quantity INT NOT NULL DEFAULT 1,
  status NVARCHAR(16) NOT NULL CHECK (status IN ('active', 'cancelled', 'completed')),
  start_date NVARCHAR(10) NOT NULL,
  next_bill_date NVARCHAR(10) NULL,
  provisioning_status NVARCHAR(16) NOT NULL DEFAULT 'done' CHECK (provisioning_status IN ('done', 'pending'))
);
CREATE INDEX user_packages_account ON user_packages (account_id);

-- Minutes pooled across a parent's children: the parent owns the bucket, children's usage draws on it.
CREATE TABLE minute_buckets (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL UNIQUE REFERENCES accounts (id),
  included_minutes INT NOT NULL,
  overage_mills INT NOT NULL,
  used_minutes INT NOT NULL DEFAULT 0,
  period_start NVARCHAR(10) NULL
);

CREATE TABLE usage_records (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  usage_date NVARCHAR(10) NOT NULL,
  minutes INT NOT NULL,
  rated INT NOT NULL DEFAULT 0
);
CREATE INDEX usage_records_account ON usage_records (account_id, rated);

CREATE TABLE invoices (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  invoice_number NVARCHAR(64) NOT NULL UNIQUE,
  bill_date NVARCHAR(10) NOT NULL,
  subtotal_cents INT NOT NULL,
  discount_cents INT NOT NULL,
  tax_cents INT NOT NULL,
  total_cents INT NOT NULL,
  created_at NVARCHAR(32) NOT NULL
);
CREATE INDEX invoices_account ON invoices (account_id, bill_date);

CREATE TABLE invoice_items (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  invoice_id INT NOT NULL REFERENCES invoices (id),
  user_package_id INT NULL REFERENCES user_packages (id),
  kind NVARCHAR(16) NOT NULL CHECK (kind IN ('recurring', 'one-time', 'usage', 'discount', 'tax')),
  description NVARCHAR(400) NOT NULL,
  amount_cents INT NOT NULL
);
CREATE INDEX invoice_items_invoice ON invoice_items (invoice_id);

CREATE TABLE transactions (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  kind NVARCHAR(16) NOT NULL CHECK (kind IN ('invoice', 'payment', 'adjustment')),
  amount_cents INT NOT NULL,
  reference NVARCHAR(64) NULL,
  created_at NVARCHAR(32) NOT NULL
);
CREATE INDEX transactions_account ON transactions (account_id);

CREATE TABLE payment_methods (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  account_id INT NOT NULL REFERENCES accounts (id),
  kind NVARCHAR(16) NOT NULL CHECK (kind IN ('card', 'echeck')),
  processor NVARCHAR(64) NOT NULL,
  is_default INT NOT NULL DEFAULT 1,
  card_token NVARCHAR(400) NULL,
  card_number NVARCHAR(400) NULL,
  card_last4 NVARCHAR(400) NULL,
  card_expiry NVARCHAR(7) NULL,
  bank_account_number NVARCHAR(400) NULL,
  bank_routing_number NVARCHAR(400) NULL,
  holder_name NVARCHAR(400) NULL
);
CREATE INDEX payment_methods_account ON payment_methods (account_id);

CREATE TABLE settings (
  [key] NVARCHAR(200) NOT NULL PRIMARY KEY,
  value NVARCHAR(2000) NOT NULL
);

CREATE TABLE event_log (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  logged_at NVARCHAR(32) NOT NULL,
  level NVARCHAR(16) NOT NULL CHECK (level IN ('info', 'warning', 'error')),
  module NVARCHAR(64) NOT NULL,
  action NVARCHAR(64) NOT NULL,
  result NVARCHAR(64) NOT NULL,
  account_id INT NULL,
  message NVARCHAR(MAX) NULL
);

CREATE TABLE roles (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  name NVARCHAR(200) NOT NULL UNIQUE
);

CREATE TABLE permissions (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  name NVARCHAR(200) NOT NULL UNIQUE
);

CREATE TABLE role_permissions (
  role_id INT NOT NULL REFERENCES roles (id),
  permission_id INT NOT NULL REFERENCES permissions (id),
  PRIMARY KEY (role_id, permission_id)
);

CREATE TABLE staff_users (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  username NVARCHAR(200) NOT NULL UNIQUE,
  email NVARCHAR(400) NOT NULL,
  role_id INT NOT NULL REFERENCES roles (id),
  password_hash NVARCHAR(400) NOT NULL,
  active INT NOT NULL DEFAULT 1
);

-- Permissions granted to one staff user directly, beside those of their role.
CREATE TABLE staff_user_permissions (
  staff_user_id INT NOT NULL REFERENCES staff_users (id),
  permission_id INT NOT NULL REFERENCES permissions (id),
  PRIMARY KEY (staff_user_id, permission_id)
);

-- The platform's own record of bill runs and its schema release.
CREATE TABLE bill_runs (
  id INT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
  bill_date NVARCHAR(10) NOT NULL,
  [release] NVARCHAR(32) NOT NULL,
  status NVARCHAR(16) NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  started_at NVARCHAR(32) NOT NULL,
  finished_at NVARCHAR(32) NULL,
  accounts_billed INT NOT NULL DEFAULT 0
);

-- The configuration each bill run ran with (every item, defaults included), one row per item.
CREATE TABLE bill_run_settings (
  bill_run_id INT NOT NULL REFERENCES bill_runs (id),
  name NVARCHAR(200) NOT NULL,
  value NVARCHAR(2000) NOT NULL,
  PRIMARY KEY (bill_run_id, name)
);

CREATE TABLE platform_info (
  [key] NVARCHAR(200) NOT NULL PRIMARY KEY,
  value NVARCHAR(2000) NOT NULL
);
