-- billRuns
SELECT * FROM (SELECT [b].[ID] AS [sequence], CAST([b].[BillDate] AS date) AS [bill_date], [b].[Release] AS [release],
  CASE [b].[Status] WHEN 'Completed' THEN 'completed' WHEN 'Failed' THEN 'failed' ELSE 'running' END AS [status],
  [b].[StartedDate] AS [started_at], [b].[FinishedDate] AS [finished_at], [b].[UsersBilled] AS [accounts_billed]
FROM [BillRun] AS [b] WHERE [b].[BillDate] = @p0
) q ORDER BY q.[sequence] DESC;
-- params: {"p0":"2026-11-01"}

-- accountsDueCount
SELECT COUNT(*) AS [accounts] FROM [User] AS [u]
WHERE [u].[Status] = 'Active' AND EXISTS (
  SELECT 1 FROM [UserPackage] AS [up] WHERE [up].[UserID] = [u].[ID] AND [up].[Status] = 'Active' AND [up].[NextBillDate] <= @p0)
;
-- params: {"p0":"2026-11-01"}

-- invoicedAccountsCount
SELECT COUNT(DISTINCT [i].[UserID]) AS [accounts] FROM [Invoice] AS [i] WHERE [i].[BillDate] = @p0
;
-- params: {"p0":"2026-11-01"}

-- dueAccountsNotInvoiced
SELECT * FROM (SELECT [u].[Name] AS [account_number] FROM [User] AS [u]
WHERE [u].[Status] = 'Active'
  AND EXISTS (SELECT 1 FROM [UserPackage] AS [up] WHERE [up].[UserID] = [u].[ID] AND [up].[Status] = 'Active' AND [up].[NextBillDate] <= @p0)
  AND NOT EXISTS (SELECT 1 FROM [Invoice] AS [i] WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p1)
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01","p1":"2026-11-01"}

-- duePackages
SELECT * FROM (SELECT [u].[Name] AS [account_number], [up].[ID] AS [user_package_id], [p].[Name] AS [package_code],
  [p].[BillingPeriodMonths] AS [period_months], [up].[NextBillDate] AS [next_bill_date]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID]
WHERE [u].[Status] = 'Active' AND [up].[Status] = 'Active' AND [up].[NextBillDate] <= @p0
) q ORDER BY q.[account_number], q.[user_package_id];
-- params: {"p0":"2026-11-01"}

-- userPackages
SELECT * FROM (SELECT [u].[Name] AS [account_number], [up].[ID] AS [user_package_id], LOWER([up].[Status]) AS [status],
  [up].[NextBillDate] AS [next_bill_date]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID]
) q ORDER BY q.[account_number], q.[user_package_id];
-- params: {}

-- pools
SELECT * FROM (SELECT [u].[Name] AS [account_number], [g].[IncludedMinutes] AS [included_minutes], [g].[OverageRate] AS [overage_rate], [g].[UsedMinutes] AS [used_minutes],
  (SELECT COALESCE(SUM([r].[Minutes]), 0) FROM [UsageRecord] AS [r]
   WHERE [r].[Rated] = 0 AND [r].[UsageDate] < @p0
     AND ([r].[UserID] = [g].[OwnerUserID] OR [r].[UserID] IN (SELECT [m].[UserID] FROM [BucketPoolGroupMember] AS [m] WHERE [m].[BucketPoolGroupID] = [g].[ID]))) AS [family_unrated_minutes]
FROM [BucketPoolGroup] AS [g] JOIN [User] AS [u] ON [u].[ID] = [g].[OwnerUserID]
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01"}

-- accountOutcomes
SELECT * FROM (SELECT [u].[Name] AS [account_number], CASE [u].[Status] WHEN 'Closed' THEN 'cancelled' ELSE 'active' END AS [status], [u].[Balance] AS [balance],
  (SELECT COUNT(*) FROM [Invoice] AS [i] WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p0) AS [invoice_count],
  (SELECT SUM([i].[Total]) FROM [Invoice] AS [i] WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p1) AS [invoice_total],
  (SELECT SUM([c].[Amount]) FROM [InvoiceCharge] AS [c] JOIN [Invoice] AS [i] ON [i].[ID] = [c].[InvoiceID]
   WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p2 AND [c].[ChargeType] = 'Usage') AS [usage_amount]
FROM [User] AS [u]
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01"}

-- comparableAccounts
SELECT * FROM (SELECT [u].[Name] AS [account_number], [u].[Balance] AS [balance],
  (SELECT SUM([i].[Total]) FROM [Invoice] AS [i] WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p0) AS [invoice_total],
  (SELECT SUM([i].[TaxTotal]) FROM [Invoice] AS [i] WHERE [i].[UserID] = [u].[ID] AND [i].[BillDate] = @p1) AS [tax],
  (SELECT COALESCE(-SUM([t].[Amount]), 0) FROM [Transaction] AS [t] JOIN [Invoice] AS [i] ON [i].[InvoiceNumber] = [t].[Reference]
   WHERE [t].[UserID] = [u].[ID] AND [t].[Type] = 'Payment' AND [i].[BillDate] = @p2) AS [bill_run_payments],
  [og].[UsedMinutes] AS [pool_used_minutes],
  CASE WHEN [og].[ID] IS NOT NULL THEN 'pool owner' WHEN [m].[ID] IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS [pool_role],
  CASE WHEN [u].[ParentUserID] IS NULL THEN 0 ELSE 1 END AS [is_child],
  (SELECT STRING_AGG(CAST(concat([p].[Name], ':', COALESCE(CONVERT(NVARCHAR(10), [up].[NextBillDate], 23), '-'), ':', LOWER([up].[Status])) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [p].[Name], [up].[StartDate], [up].[NextBillDate])
   FROM [UserPackage] AS [up] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID] WHERE [up].[UserID] = [u].[ID]) AS [next_bill_dates],
  (SELECT STRING_AGG(CAST(concat([p].[BillingPeriodMonths], CASE WHEN EXISTS (SELECT 1 FROM [UserServicePackageDiscountTracking] AS [d] WHERE [d].[UserPackageID] = [up].[ID]) THEN '+discount' ELSE '' END) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [p].[BillingPeriodMonths], [up].[ID])
   FROM [UserPackage] AS [up] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID] WHERE [up].[UserID] = [u].[ID]) AS [package_traits]
FROM [User] AS [u] LEFT JOIN [BucketPoolGroup] AS [og] ON [og].[OwnerUserID] = [u].[ID] LEFT JOIN [BucketPoolGroupMember] AS [m] ON [m].[UserID] = [u].[ID]
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11-01","p1":"2026-11-01","p2":"2026-11-01"}

-- charges
SELECT * FROM (SELECT [u].[Name] AS [account_number], LOWER([c].[ChargeType]) AS [kind], [c].[Amount] AS [amount]
FROM [InvoiceCharge] AS [c] JOIN [Invoice] AS [i] ON [i].[ID] = [c].[InvoiceID] JOIN [User] AS [u] ON [u].[ID] = [i].[UserID]
WHERE [i].[BillDate] = @p0
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2, q.[kind];
-- params: {"p0":"2026-11-01"}

-- accountFeatures
SELECT * FROM (SELECT [u].[Name] AS [account_number], CASE [u].[Status] WHEN 'Closed' THEN 'cancelled' ELSE 'active' END AS [status], [u].[Balance] AS [balance],
  CASE WHEN EXISTS (SELECT 1 FROM [User] AS [c] WHERE [c].[ParentUserID] = [u].[ID]) THEN 1 ELSE 0 END AS [is_parent],
  CASE WHEN [u].[ParentUserID] IS NULL THEN 0 ELSE 1 END AS [is_child],
  CASE WHEN [og].[ID] IS NOT NULL THEN 'pool owner' WHEN [m].[ID] IS NOT NULL THEN 'pool member' ELSE 'no pool' END AS [pool_role],
  (SELECT COUNT(*) FROM [UserPackage] AS [up] WHERE [up].[UserID] = [u].[ID]) AS [package_count],
  (SELECT COALESCE(SUM([r].[Minutes]), 0) FROM [UsageRecord] AS [r] WHERE [r].[UserID] = [u].[ID] AND [r].[Rated] = 0) AS [usage_minutes],
  (SELECT STRING_AGG(CAST([p].[BillingPeriodMonths] AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [p].[BillingPeriodMonths]) FROM [UserPackage] AS [up] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID] WHERE [up].[UserID] = [u].[ID]) AS [period_months],
  CAST(NULL AS NVARCHAR(100)) AS [price_plans],
  (SELECT STRING_AGG(CAST([d].[Name] AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [d].[Name]) FROM [UserServicePackageDiscountTracking] AS [t] JOIN [UserPackage] AS [up] ON [up].[ID] = [t].[UserPackageID] JOIN [Discount] AS [d] ON [d].[ID] = [t].[DiscountID] WHERE [up].[UserID] = [u].[ID]) AS [discounts],
  (SELECT STRING_AGG(CAST(concat([pm].[Type], '/', [pm].[Processor]) AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [pm].[Type], [pm].[Processor]) FROM [UserPaymentMethod] AS [pm] WHERE [pm].[UserID] = [u].[ID]) AS [payment_methods],
  (SELECT COUNT(*) FROM [UserPaymentMethod] AS [pm] WHERE [pm].[UserID] = [u].[ID] AND [pm].[Type] = 'CreditCard' AND CONVERT(NVARCHAR(7), [pm].[ExpiryDate], 23) < @p0) AS [expired_cards]
FROM [User] AS [u] LEFT JOIN [BucketPoolGroup] AS [og] ON [og].[OwnerUserID] = [u].[ID] LEFT JOIN [BucketPoolGroupMember] AS [m] ON [m].[UserID] = [u].[ID]
) q ORDER BY q.[account_number] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11"}

-- eventLog
SELECT * FROM (SELECT [e].[ID] AS [sequence], [e].[Date] AS [logged_at],
  CASE WHEN [e].[Result] LIKE N'%Fail%' OR [e].[Result] LIKE N'%Error%' THEN 'error' ELSE 'warning' END AS [level],
  [e].[Module] AS [module], [e].[Action] AS [action], [e].[Result] AS [result], [u].[Name] AS [account_number], [e].[Message] AS [message]
FROM [eventlog] AS [e] LEFT JOIN [User] AS [u] ON [u].[ID] = [e].[UserID]
WHERE [e].[Date] >= CONVERT(datetime2, @p0, 127) AND [e].[Result] <> N'Success'
) q ORDER BY q.[logged_at], q.[sequence];
-- params: {"p0":"2026-11-01T00:00:00.000Z"}

-- outboundHostSettings
SELECT [s].[Value] AS [value] FROM [SystemSetting] AS [s]
;
-- params: {}

-- paymentProcessors
SELECT * FROM (SELECT REPLACE(REPLACE([s].[Name], 'PaymentGateway.', ''), '.Url', '') AS [processor], [s].[Value] AS [url]
FROM [SystemSetting] AS [s] WHERE [s].[Name] LIKE 'PaymentGateway.%.Url'
) q ORDER BY q.[processor];
-- params: {}

-- switchTargets
WITH split(position, target, rest) AS (
  SELECT 0, CAST('' AS NVARCHAR(4000)), CAST(concat((SELECT [Value] FROM [SystemSetting] WHERE [Name] = 'Provisioning.Switches'), ',') AS NVARCHAR(4000))
  UNION ALL
  SELECT position + 1, CAST(LTRIM(RTRIM(LEFT(rest, CHARINDEX(',', rest) - 1))) AS NVARCHAR(4000)), CAST(SUBSTRING(rest, CHARINDEX(',', rest) + 1, 4000) AS NVARCHAR(4000)) FROM split WHERE rest <> '')
SELECT position, target FROM split WHERE position > 0 AND target <> ''
;
-- params: {}

-- billingCurrency
SELECT [s].[Value] AS [currency] FROM [SystemSetting] AS [s] WHERE [s].[Name] = 'Billing.Currency'
;
-- params: {}

-- accountsToProvision
SELECT * FROM (SELECT DISTINCT [u].[Name] AS [account_number]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID]
WHERE [up].[ProvisioningStatus] = 'Pending' AND [up].[Status] <> 'Cancelled' AND [u].[Status] = 'Active'
  AND EXISTS (SELECT 1 FROM [UserPackage] AS [due] WHERE [due].[UserID] = [u].[ID] AND [due].[Status] = 'Active' AND [due].[NextBillDate] <= @p0)
) q ORDER BY q.[account_number];
-- params: {"p0":"2026-11-01"}

-- packagesToProvision
SELECT * FROM (SELECT [up].[ID] AS [user_package_id], [u].[Name] AS [account_number], COALESCE([p].[ProvisioningCode], [p].[Name]) AS [provisioning_code]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID]
WHERE [up].[ProvisioningStatus] = 'Pending' AND [up].[Status] <> 'Cancelled' AND [u].[Status] = 'Active'
  AND EXISTS (SELECT 1 FROM [UserPackage] AS [due] WHERE [due].[UserID] = [u].[ID] AND [due].[Status] = 'Active' AND [due].[NextBillDate] <= @p0)
) q ORDER BY q.[user_package_id];
-- params: {"p0":"2026-11-01"}

-- pendingProvisioning
SELECT * FROM (SELECT [up].[ID] AS [id] FROM [UserPackage] AS [up] WHERE [up].[ProvisioningStatus] = 'Pending'
) q ORDER BY q.[id];
-- params: {}

-- rolePermissions
SELECT * FROM (SELECT [r].[Name] AS [role], [p].[Name] AS [permission]
FROM [Permission] AS [p] LEFT JOIN [RolePermission] AS [rp] ON [rp].[PermissionID] = [p].[ID] LEFT JOIN [Role] AS [r] ON [r].[ID] = [rp].[RoleID]
) q ORDER BY q.[permission], q.[role];
-- params: {}

-- roles
SELECT * FROM (SELECT [r].[Name] AS [role] FROM [Role] AS [r]
) q ORDER BY q.[role];
-- params: {}

-- billRunConfiguration
SELECT * FROM (SELECT [s].[Name] AS [name], [s].[Value] AS [value] FROM [BillRunSetting] AS [s]
WHERE [s].[BillRunID] = (SELECT MAX([b].[ID]) FROM [BillRun] AS [b]
  WHERE [b].[BillDate] <= @p0 AND EXISTS (SELECT 1 FROM [BillRunSetting] AS [x] WHERE [x].[BillRunID] = [b].[ID]))
) q ORDER BY q.[name] COLLATE Latin1_General_BIN2;
-- params: {"p0":"2026-11-01"}

-- staffUsers
SELECT * FROM (SELECT [s].[LoginName] AS [user_name], CASE WHEN [s].[IsActive] = 1 THEN 1 ELSE 0 END AS [active], [r].[Name] AS [role]
FROM [StaffUser] AS [s] LEFT JOIN [StaffUserRole] AS [sr] ON [sr].[StaffUserID] = [s].[ID] LEFT JOIN [Role] AS [r] ON [r].[ID] = [sr].[RoleID]
) q ORDER BY q.[user_name] COLLATE Latin1_General_BIN2, q.[role];
-- params: {}

-- staffDirectGrants
SELECT * FROM (SELECT [s].[LoginName] AS [user_name], [p].[Name] AS [permission]
FROM [StaffUserPermission] AS [g] JOIN [StaffUser] AS [s] ON [s].[ID] = [g].[StaffUserID] JOIN [Permission] AS [p] ON [p].[ID] = [g].[PermissionID]
) q ORDER BY q.[user_name] COLLATE Latin1_General_BIN2, q.[permission];
-- params: {}

-- billedInvoices
SELECT * FROM (SELECT [i].[InvoiceNumber] AS [invoice_number], [u].[Name] AS [account_number], [i].[Total] AS [total]
FROM [Invoice] AS [i] JOIN [User] AS [u] ON [u].[ID] = [i].[UserID] WHERE [i].[BillDate] = @p0
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11-01"}

-- processorsToCharge
SELECT * FROM (SELECT [pm].[Processor] AS [processor], COUNT(*) AS [invoices]
FROM [Invoice] AS [i] JOIN [User] AS [u] ON [u].[ID] = [i].[UserID]
JOIN [UserPaymentMethod] AS [pm] ON [pm].[ID] = (SELECT MIN([d].[ID]) FROM [UserPaymentMethod] AS [d] WHERE [d].[UserID] = [u].[ID] AND [d].[IsDefault] = 1)
WHERE [i].[BillDate] = @p0 AND [u].[AutoPay] = 1 AND [i].[Total] > 0
  AND ([pm].[Type] <> 'CreditCard' OR [pm].[ExpiryDate] IS NULL OR [pm].[ExpiryDate] >= concat(@p1, '-01'))
GROUP BY [pm].[Processor]
) q ORDER BY q.[processor];
-- params: {"p0":"2026-11-01","p1":"2026-11"}

-- chargeEligibility
SELECT * FROM (SELECT [i].[InvoiceNumber] AS [invoice_number], [u].[Name] AS [account_number], [i].[Total] AS [total],
  CASE WHEN [u].[AutoPay] = 0 THEN 'auto-pay is off'
       WHEN [i].[Total] <= 0 THEN 'nothing to pay'
       WHEN [pm].[ID] IS NULL THEN 'no default payment method'
       WHEN [pm].[Type] = 'CreditCard' AND [pm].[ExpiryDate] IS NOT NULL AND [pm].[ExpiryDate] < concat(@p0, '-01') THEN 'card expired'
       ELSE NULL END AS [ineligible],
  [pm].[Processor] AS [processor], [pm].[Last4] AS [card_last4]
FROM [Invoice] AS [i] JOIN [User] AS [u] ON [u].[ID] = [i].[UserID]
LEFT JOIN [UserPaymentMethod] AS [pm] ON [pm].[ID] = (SELECT MIN([d].[ID]) FROM [UserPaymentMethod] AS [d] WHERE [d].[UserID] = [u].[ID] AND [d].[IsDefault] = 1)
WHERE [i].[BillDate] = @p1
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11","p1":"2026-11-01"}

-- recordedPayments
SELECT * FROM (SELECT [i].[InvoiceNumber] AS [invoice_number], [u].[Name] AS [account_number], -[t].[Amount] AS [amount],
  (SELECT MIN([pm].[Processor]) FROM [UserPaymentMethod] AS [pm] WHERE [pm].[UserID] = [t].[UserID] AND [pm].[IsDefault] = 1) AS [processor]
FROM [Transaction] AS [t] JOIN [Invoice] AS [i] ON [i].[InvoiceNumber] = [t].[Reference] JOIN [User] AS [u] ON [u].[ID] = [t].[UserID]
WHERE [t].[Type] = 'Payment' AND [i].[BillDate] = @p0
) q ORDER BY q.[invoice_number], q.[amount];
-- params: {"p0":"2026-11-01"}

-- invoicesMarkedMailed
SELECT * FROM (SELECT [i].[InvoiceNumber] AS [invoice_number], [u].[Name] AS [account_number],
  (SELECT MIN([c].[Email]) FROM [Contact] AS [c] WHERE [c].[UserID] = [i].[UserID] AND [c].[IsPrimary] = 1) AS [email]
FROM [Invoice] AS [i] JOIN [User] AS [u] ON [u].[ID] = [i].[UserID]
WHERE [i].[BillDate] = @p0 AND [i].[EmailedDate] IS NOT NULL
) q ORDER BY q.[invoice_number];
-- params: {"p0":"2026-11-01"}

-- mailSender
SELECT [s].[Value] AS [address] FROM [SystemSetting] AS [s] WHERE [s].[Name] = 'Email.FromAddress'
;
-- params: {}

-- contactEmails
SELECT * FROM (SELECT [c].[ID] AS [contact_id], [u].[Name] AS [account_number], [c].[Email] AS [email]
FROM [Contact] AS [c] JOIN [User] AS [u] ON [u].[ID] = [c].[UserID] WHERE [c].[Email] IS NOT NULL
) q ORDER BY q.[contact_id];
-- params: {}

-- driver.begin
INSERT INTO [BillRunRequest] ([BillDate], [EmailInvoices], [ChargeAutoPay], [Provision], [Configuration], [Status], [RequestedDate])
VALUES (@p0,
  CASE WHEN @p1 = 'true' THEN 1 ELSE 0 END,
  CASE WHEN @p2 = 'true' THEN 1 ELSE 0 END,
  CASE WHEN @p3 = 'true' THEN 1 ELSE 0 END,
  @p4, 'Pending', CURRENT_TIMESTAMP)
;
-- params: {"p0":"2026-11-01","p1":"true","p2":"true","p3":"true","p4":"{\"Invoice.ShowServicePeriod\":\"True\"}"}

-- driver.status
SELECT CASE [r].[Status] WHEN 'Completed' THEN 'completed' WHEN 'Failed' THEN 'failed' ELSE 'running' END AS [state],
  [r].[Processed] AS [processed], [r].[Total] AS [total], [r].[ErrorMessage] AS [error]
FROM [BillRunRequest] AS [r] WHERE [r].[ID] = (SELECT MAX([x].[ID]) FROM [BillRunRequest] AS [x])
;
-- params: {}
