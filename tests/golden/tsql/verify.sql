-- billRuns
SELECT TOP (1) * FROM (SELECT id AS sequence, bill_date, [release] AS [release], status, started_at, finished_at, accounts_billed
FROM bill_runs WHERE bill_date = @p0
) q ORDER BY q.[sequence] DESC;
-- params: {"p0":"2026-11-01"}

-- accountsDueCount
SELECT COUNT(DISTINCT a.id) AS accounts
FROM accounts a JOIN user_packages up ON up.account_id = a.id
WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= @p0
;
-- params: {"p0":"2026-11-01"}

-- invoicedAccountsCount
SELECT COUNT(DISTINCT i.account_id) AS accounts FROM invoices i WHERE i.bill_date = @p0
;
-- params: {"p0":"2026-11-01"}

-- dueAccountsNotInvoiced
SELECT TOP (50) * FROM (SELECT a.account_number AS account_number
FROM accounts a WHERE a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages up WHERE up.account_id = a.id AND up.status = 'active' AND up.next_bill_date <= @p0)
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1)
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01","p1":"2026-11-01"}

-- duePackages
SELECT * FROM (SELECT a.account_number AS account_number, up.id AS user_package_id, p.code AS package_code,
  CASE p.period WHEN 'monthly' THEN 1 WHEN 'yearly' THEN 12 ELSE 0 END AS period_months, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= @p0
) q WHERE q.account_number IN (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8) ORDER BY q.[account_number], q.[user_package_id];
-- params: {"p0":"2026-11-01","p1":"ACC-000001","p2":"ACC-000002","p3":"ACC-000003","p4":"ACC-000008","p5":"ACC-000009","p6":"ACC-000010","p7":"ACC-000011","p8":"ACC-000012"}

-- userPackages
SELECT * FROM (SELECT a.account_number AS account_number, up.id AS user_package_id, up.status AS status, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id
) q WHERE q.account_number IN (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) ORDER BY q.[account_number], q.[user_package_id];
-- params: {"p0":"ACC-000001","p1":"ACC-000002","p2":"ACC-000003","p3":"ACC-000008","p4":"ACC-000009","p5":"ACC-000010","p6":"ACC-000011","p7":"ACC-000012"}

-- pools
SELECT * FROM (SELECT a.account_number AS account_number, b.included_minutes AS included_minutes, b.overage_mills / 1000.0 AS overage_rate, b.used_minutes AS used_minutes,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u JOIN accounts m ON m.id = u.account_id
   WHERE (m.id = a.id OR m.parent_id = a.id) AND u.rated = 0 AND u.usage_date < @p0) AS family_unrated_minutes
FROM minute_buckets b JOIN accounts a ON a.id = b.account_id
) q WHERE q.account_number IN (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8) ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01","p1":"ACC-000001","p2":"ACC-000002","p3":"ACC-000003","p4":"ACC-000008","p5":"ACC-000009","p6":"ACC-000010","p7":"ACC-000011","p8":"ACC-000012"}

-- accountOutcomes
SELECT * FROM (SELECT a.account_number AS account_number, a.status AS status, a.balance_cents / 100.0 AS balance,
  (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p0) AS invoice_count,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1) / 100.0 AS invoice_total,
  (SELECT SUM(ii.amount_cents) FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id
   WHERE i.account_id = a.id AND i.bill_date = @p2 AND ii.kind = 'usage') / 100.0 AS usage_amount
FROM accounts a
) q WHERE q.account_number IN (@p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10) ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01","p3":"ACC-000001","p4":"ACC-000002","p5":"ACC-000003","p6":"ACC-000008","p7":"ACC-000009","p8":"ACC-000010","p9":"ACC-000011","p10":"ACC-000012"}

-- comparableAccounts
SELECT * FROM (SELECT a.account_number AS account_number, a.balance_cents / 100.0 AS balance,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p0) / 100.0 AS invoice_total,
  (SELECT SUM(i.tax_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1) / 100.0 AS tax,
  (SELECT COALESCE(SUM(t.amount_cents), 0) FROM transactions t JOIN invoices i ON i.invoice_number = t.reference
   WHERE t.account_id = a.id AND t.kind = 'payment' AND i.account_id = a.id AND i.bill_date = @p2) / 100.0 AS bill_run_payments,
  ob.used_minutes AS pool_used_minutes,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  (SELECT STRING_AGG(CAST(concat(p.code, ':', COALESCE(up.next_bill_date, '-'), ':', up.status) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.code, up.start_date, up.next_bill_date)
   FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS next_bill_dates,
  (SELECT STRING_AGG(CAST(concat(CASE p.period WHEN 'monthly' THEN 1 WHEN 'yearly' THEN 12 ELSE 0 END, CASE WHEN up.discount_id IS NULL THEN '' ELSE '+discount' END) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.period, up.discount_id)
   FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS package_traits
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01"}

-- charges
SELECT * FROM (SELECT a.account_number AS account_number, ii.kind AS kind, ii.amount_cents / 100.0 AS amount
FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id JOIN accounts a ON a.id = i.account_id
WHERE i.bill_date = @p0
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2, q.[kind];
-- params: {"p0":"2026-11-01"}

-- accountFeatures
SELECT * FROM (SELECT a.account_number AS account_number, a.status AS status, a.balance_cents / 100.0 AS balance,
  CASE WHEN EXISTS (SELECT 1 FROM accounts c WHERE c.parent_id = a.id) THEN 1 ELSE 0 END AS is_parent,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  (SELECT COUNT(*) FROM user_packages up WHERE up.account_id = a.id) AS package_count,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u WHERE u.account_id = a.id AND u.rated = 0) AS usage_minutes,
  (SELECT STRING_AGG(CAST(CASE p.period WHEN 'monthly' THEN 1 WHEN 'yearly' THEN 12 ELSE 0 END AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.period) FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS period_months,
  (SELECT STRING_AGG(CAST(pp.name AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY pp.name) FROM user_packages up JOIN price_plans pp ON pp.id = up.price_plan_id WHERE up.account_id = a.id) AS price_plans,
  (SELECT STRING_AGG(CAST(d.name AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY d.name) FROM user_packages up JOIN discounts d ON d.id = up.discount_id WHERE up.account_id = a.id) AS discounts,
  (SELECT STRING_AGG(CAST(concat(pm.kind, '/', pm.processor) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY pm.kind, pm.processor) FROM payment_methods pm WHERE pm.account_id = a.id) AS payment_methods,
  (SELECT COUNT(*) FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'card' AND pm.card_expiry < @p0) AS expired_cards
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11"}

-- eventLog
SELECT * FROM (SELECT e.id AS sequence, e.logged_at AS logged_at, e.level AS level, e.module AS module, e.action AS action, e.result AS result,
  a.account_number AS account_number, e.message AS message
FROM event_log e LEFT JOIN accounts a ON a.id = e.account_id
WHERE e.logged_at >= @p0 AND e.level IN ('warning', 'error')
) q ORDER BY q.[logged_at], q.[sequence];
-- params: {"p0":"2026-11-01T00:00:00.000Z"}

-- outboundHostSettings
SELECT value FROM settings
;
-- params: {}

-- paymentProcessors
SELECT * FROM (SELECT REPLACE(REPLACE([key], 'gateway.', ''), '.url', '') AS processor, value AS url
FROM settings WHERE [key] LIKE 'gateway.%.url'
) q ORDER BY q.[processor];
-- params: {}

-- switchTargets
WITH split(position, target, rest) AS (
  SELECT 0, CAST('' AS NVARCHAR(4000)), CAST(concat((SELECT value FROM settings WHERE [key] = 'provisioning.hosts'), ',') AS NVARCHAR(4000))
  UNION ALL
  SELECT position + 1, CAST(LTRIM(RTRIM(LEFT(rest, CHARINDEX(',', rest) - 1))) AS NVARCHAR(4000)), CAST(SUBSTRING(rest, CHARINDEX(',', rest) + 1, 4000) AS NVARCHAR(4000)) FROM split WHERE rest <> '')
SELECT position, target FROM split WHERE position > 0 AND target <> ''
;
-- params: {}

-- billingCurrency
SELECT value AS currency FROM settings WHERE [key] = 'billing.currency'
;
-- params: {}

-- accountsToProvision
SELECT * FROM (SELECT DISTINCT a.account_number AS account_number
FROM user_packages up JOIN accounts a ON a.id = up.account_id
WHERE up.provisioning_status = 'pending' AND a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages due WHERE due.account_id = a.id AND due.status = 'active' AND due.next_bill_date <= @p0)
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01"}

-- packagesToProvision
SELECT * FROM (SELECT up.id AS user_package_id, a.account_number AS account_number, COALESCE(p.provisioning_code, p.code) AS provisioning_code
FROM user_packages up JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
WHERE up.provisioning_status = 'pending' AND up.status <> 'cancelled' AND a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages due WHERE due.account_id = a.id AND due.status = 'active' AND due.next_bill_date <= @p0)
) q ORDER BY q.[user_package_id];
-- params: {"p0":"2026-11-01"}

-- pendingProvisioning
SELECT * FROM (SELECT id FROM user_packages WHERE provisioning_status = 'pending'
) q ORDER BY q.[id];
-- params: {}

-- rolePermissions
SELECT * FROM (SELECT r.name AS role, p.name AS permission
FROM permissions p LEFT JOIN role_permissions rp ON rp.permission_id = p.id LEFT JOIN roles r ON r.id = rp.role_id
) q ORDER BY q.[permission], q.[role];
-- params: {}

-- roles
SELECT * FROM (SELECT name AS role FROM roles
) q ORDER BY q.[role];
-- params: {}

-- billRunConfiguration
SELECT * FROM (SELECT s.name AS name, s.value AS value FROM bill_run_settings s
WHERE s.bill_run_id = (SELECT MAX(b.id) FROM bill_runs b
  WHERE b.bill_date <= @p0 AND EXISTS (SELECT 1 FROM bill_run_settings x WHERE x.bill_run_id = b.id))
) q ORDER BY q.[name] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11-01"}

-- staffUsers
SELECT * FROM (SELECT u.username AS user_name, u.active AS active, r.name AS role
FROM staff_users u LEFT JOIN roles r ON r.id = u.role_id
) q ORDER BY q.[user_name] COLLATE Latin1_General_BIN2, q.[role];
-- params: {}

-- staffDirectGrants
SELECT * FROM (SELECT u.username AS user_name, p.name AS permission
FROM staff_user_permissions g JOIN staff_users u ON u.id = g.staff_user_id JOIN permissions p ON p.id = g.permission_id
) q ORDER BY q.[user_name] COLLATE Latin1_General_BIN2, q.[permission];
-- params: {}

-- billedInvoices
SELECT * FROM (SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, i.total_cents / 100.0 AS total
FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.bill_date = @p0
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11-01"}

-- processorsToCharge
SELECT * FROM (SELECT pm.processor AS processor, COUNT(*) AS invoices
FROM invoices i JOIN accounts a ON a.id = i.account_id
JOIN payment_methods pm ON pm.id = (SELECT MIN(d.id) FROM payment_methods d WHERE d.account_id = a.id AND d.is_default = 1)
WHERE i.bill_date = @p0 AND a.auto_pay = 1 AND i.total_cents > 0 AND (pm.kind <> 'card' OR pm.card_expiry IS NULL OR pm.card_expiry >= @p1)
GROUP BY pm.processor
) q ORDER BY q.[processor];
-- params: {"p0":"2026-11-01","p1":"2026-11"}

-- chargeEligibility
SELECT * FROM (SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, i.total_cents / 100.0 AS total,
  CASE WHEN a.auto_pay = 0 THEN 'auto-pay is off'
       WHEN i.total_cents <= 0 THEN 'nothing to pay'
       WHEN pm.id IS NULL THEN 'no default payment method'
       WHEN pm.kind = 'card' AND pm.card_expiry IS NOT NULL AND pm.card_expiry < @p0 THEN 'card expired'
       ELSE NULL END AS ineligible,
  pm.processor AS processor, CASE WHEN pm.kind = 'card' THEN pm.card_last4 END AS card_last4
FROM invoices i JOIN accounts a ON a.id = i.account_id
LEFT JOIN payment_methods pm ON pm.id = (SELECT MIN(d.id) FROM payment_methods d WHERE d.account_id = a.id AND d.is_default = 1)
WHERE i.bill_date = @p1
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11","p1":"2026-11-01"}

-- recordedPayments
SELECT * FROM (SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, -t.amount_cents / 100.0 AS amount,
  (SELECT MIN(pm.processor) FROM payment_methods pm WHERE pm.account_id = t.account_id AND pm.is_default = 1) AS processor
FROM transactions t JOIN invoices i ON i.invoice_number = t.reference JOIN accounts a ON a.id = t.account_id
WHERE t.kind = 'payment' AND i.bill_date = @p0
) q ORDER BY q.[invoice_number], q.[amount];
-- params: {"p0":"2026-11-01"}

-- invoicesMarkedMailed
SELECT * FROM (SELECT i.invoice_number AS invoice_number, a.account_number AS account_number,
  (SELECT MIN(c.email) FROM contacts c WHERE c.account_id = i.account_id AND c.is_primary = 1) AS email
FROM invoices i JOIN accounts a ON a.id = i.account_id
WHERE i.bill_date = @p0 AND i.id NOT IN (
  SELECT f.id FROM event_log e JOIN invoices f ON f.account_id = e.account_id
  WHERE e.module = 'Email' AND e.result = 'failed' AND f.bill_date = @p1 AND e.message LIKE concat(f.invoice_number, '%'))
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11-01","p1":"2026-11-01"}

-- mailSender
SELECT value AS address FROM settings WHERE [key] = 'smtp.from'
;
-- params: {}

-- contactEmails
SELECT * FROM (SELECT c.id AS contact_id, a.account_number AS account_number, c.email AS email
FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.email IS NOT NULL
) q ORDER BY q.[contact_id];
-- params: {}
