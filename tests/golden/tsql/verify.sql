-- packages due (baseline)
SELECT a.account_number AS account_number, up.id AS user_package_id, p.code AS package_code, p.period AS period, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
WHERE a.account_number IN (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) AND a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= @p8
ORDER BY a.account_number, up.id;
-- params: {"p0":"ACC-000001","p1":"ACC-000002","p2":"ACC-000003","p3":"ACC-000008","p4":"ACC-000009","p5":"ACC-000010","p6":"ACC-000011","p7":"ACC-000012","p8":"2026-11-01"}

-- pools (baseline)
SELECT a.account_number AS account_number, b.included_minutes AS included_minutes, b.overage_mills AS overage_mills, b.used_minutes AS used_minutes,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u JOIN accounts m ON m.id = u.account_id
   WHERE (m.id = a.id OR m.parent_id = a.id) AND u.rated = 0 AND u.usage_date < @p0) AS family_unrated_minutes
FROM minute_buckets b JOIN accounts a ON a.id = b.account_id
WHERE a.account_number IN (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8) ORDER BY a.account_number;
-- params: {"p0":"2026-11-01","p1":"ACC-000001","p2":"ACC-000002","p3":"ACC-000003","p4":"ACC-000008","p5":"ACC-000009","p6":"ACC-000010","p7":"ACC-000011","p8":"ACC-000012"}

-- accounts to provision (baseline)
SELECT DISTINCT a.account_number AS account_number
FROM user_packages up JOIN accounts a ON a.id = up.account_id
WHERE up.provisioning_status = 'pending' AND a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages due WHERE due.account_id = a.id AND due.status = 'active' AND due.next_bill_date <= @p0)
ORDER BY a.account_number;
-- params: {"p0":"2026-11-01"}

-- account features (picker)
SELECT a.account_number AS account_number, a.status AS status, a.balance_cents AS balance_cents,
  CASE WHEN EXISTS (SELECT 1 FROM accounts c WHERE c.parent_id = a.id) THEN 1 ELSE 0 END AS is_parent,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  (SELECT COUNT(*) FROM user_packages up WHERE up.account_id = a.id) AS package_count,
  (SELECT COALESCE(SUM(u.minutes), 0) FROM usage_records u WHERE u.account_id = a.id AND u.rated = 0) AS usage_minutes,
  (SELECT STRING_AGG(CAST(p.period AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.period) FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS periods,
  (SELECT STRING_AGG(CAST(pp.name AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY pp.name) FROM user_packages up JOIN price_plans pp ON pp.id = up.price_plan_id WHERE up.account_id = a.id) AS price_plans,
  (SELECT STRING_AGG(CAST(d.name AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY d.name) FROM user_packages up JOIN discounts d ON d.id = up.discount_id WHERE up.account_id = a.id) AS discounts,
  (SELECT STRING_AGG(CAST(concat(pm.kind, '/', pm.processor) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY pm.kind, pm.processor) FROM payment_methods pm WHERE pm.account_id = a.id) AS payment_methods,
  (SELECT COUNT(*) FROM payment_methods pm WHERE pm.account_id = a.id AND pm.kind = 'card' AND pm.card_expiry < @p0) AS expired_cards
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
ORDER BY a.account_number;
-- params: {"p0":"2026-11"}

-- scenario outcomes
SELECT a.account_number AS account_number, a.status AS status, a.balance_cents AS balance_cents,
  (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p0) AS invoice_count,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1) AS invoice_total_cents,
  (SELECT SUM(ii.amount_cents) FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id
   WHERE i.account_id = a.id AND i.bill_date = @p2 AND ii.kind = 'usage') AS usage_cents
FROM accounts a WHERE a.account_number IN (@p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10) ORDER BY a.account_number;
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01","p3":"ACC-000001","p4":"ACC-000002","p5":"ACC-000003","p6":"ACC-000008","p7":"ACC-000009","p8":"ACC-000010","p9":"ACC-000011","p10":"ACC-000012"}

-- user packages after
SELECT a.account_number AS account_number, up.id AS user_package_id, up.status AS status, up.next_bill_date AS next_bill_date
FROM user_packages up JOIN accounts a ON a.id = up.account_id
WHERE a.account_number IN (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) ORDER BY a.account_number, up.id;
-- params: {"p0":"ACC-000001","p1":"ACC-000002","p2":"ACC-000003","p3":"ACC-000008","p4":"ACC-000009","p5":"ACC-000010","p6":"ACC-000011","p7":"ACC-000012"}

-- every account, comparable with production
SELECT a.account_number AS account_number, a.balance_cents AS balance_cents,
  (SELECT SUM(i.total_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p0) AS invoice_total_cents,
  (SELECT SUM(i.tax_cents) FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1) AS tax_cents,
  (SELECT STRING_AGG(CAST(concat(ii.kind, '=', ii.amount_cents) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY ii.kind, ii.amount_cents) FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id WHERE i.account_id = a.id AND i.bill_date = @p2) AS charges,
  (SELECT COALESCE(SUM(t.amount_cents), 0) FROM transactions t JOIN invoices i ON i.invoice_number = t.reference
   WHERE t.account_id = a.id AND t.kind = 'payment' AND i.account_id = a.id AND i.bill_date = @p3) AS bill_run_payments_cents,
  ob.used_minutes AS pool_used_minutes,
  CASE WHEN ob.id IS NOT NULL THEN 'pool owner' WHEN pb.id IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS pool_role,
  CASE WHEN a.parent_id IS NULL THEN 0 ELSE 1 END AS is_child,
  (SELECT STRING_AGG(CAST(concat(p.code, ':', COALESCE(up.next_bill_date, '-'), ':', up.status) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.code, up.start_date, up.next_bill_date) FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS next_bill_dates,
  (SELECT STRING_AGG(CAST(concat(p.period, CASE WHEN up.discount_id IS NULL THEN '' ELSE '+discount' END) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY p.period, up.discount_id) FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.account_id = a.id) AS package_traits
FROM accounts a LEFT JOIN minute_buckets ob ON ob.account_id = a.id LEFT JOIN minute_buckets pb ON pb.account_id = a.parent_id
ORDER BY a.account_number COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01","p3":"2026-11-01"}

-- event log since the bill run
SELECT e.logged_at AS logged_at, e.level AS level, e.module AS module, e.action AS action, e.result AS result,
  a.account_number AS account_number, e.message AS message
FROM event_log e LEFT JOIN accounts a ON a.id = e.account_id
WHERE e.logged_at >= @p0 AND e.level IN ('warning', 'error') ORDER BY e.logged_at, e.id;
-- params: {"p0":"2026-11-01T00:00:00.000Z"}

-- latest bill run
SELECT TOP (1) bill_date, [release], status, started_at, finished_at, accounts_billed FROM bill_runs WHERE bill_date = @p0 ORDER BY id DESC;
-- params: {"p0":"2026-11-01"}

-- settings values (hosts to sinkhole)
SELECT value FROM settings ORDER BY [key];
-- params: {}

-- role permissions
SELECT r.name AS role, p.name AS permission
FROM permissions p LEFT JOIN role_permissions rp ON rp.permission_id = p.id LEFT JOIN roles r ON r.id = rp.role_id
ORDER BY p.name, r.name;
-- params: {}

-- roles
SELECT name AS role FROM roles ORDER BY name;
-- params: {}

-- invoices billed in this run
SELECT i.invoice_number AS invoice_number, a.account_number AS account_number, i.total_cents AS total_cents
FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.bill_date = @p0 ORDER BY i.invoice_number;
-- params: {"p0":"2026-11-01"}

-- gateway settings
SELECT [key] AS [key], value FROM settings WHERE [key] LIKE 'gateway.%.url' ORDER BY [key];
-- params: {}

-- processors to charge
SELECT pm.processor AS processor, COUNT(*) AS invoices
FROM invoices i JOIN accounts a ON a.id = i.account_id
JOIN payment_methods pm ON pm.id = (SELECT MIN(d.id) FROM payment_methods d WHERE d.account_id = a.id AND d.is_default = 1)
WHERE i.bill_date = @p0 AND a.auto_pay = 1 AND i.total_cents > 0 AND (pm.kind <> 'card' OR pm.card_expiry IS NULL OR pm.card_expiry >= @p1)
GROUP BY pm.processor ORDER BY pm.processor;
-- params: {"p0":"2026-11-01","p1":"2026-11"}

-- accounts due (baseline)
SELECT COUNT(DISTINCT a.id) AS accounts
FROM accounts a JOIN user_packages up ON up.account_id = a.id
WHERE a.status = 'active' AND up.status = 'active' AND up.next_bill_date <= @p0;
-- params: {"p0":"2026-11-01"}

-- accounts invoiced for the bill date
SELECT COUNT(DISTINCT i.account_id) AS accounts FROM invoices i WHERE i.bill_date = @p0;
-- params: {"p0":"2026-11-01"}

-- due accounts not invoiced
SELECT TOP (50) a.account_number AS account_number FROM accounts a WHERE a.status = 'active'
  AND EXISTS (SELECT 1 FROM user_packages up WHERE up.account_id = a.id AND up.status = 'active' AND up.next_bill_date <= @p0)
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.bill_date = @p1)
ORDER BY a.account_number;
-- params: {"p0":"2026-11-01","p1":"2026-11-01"}
