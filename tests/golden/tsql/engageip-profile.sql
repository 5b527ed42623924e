-- duePackages
SELECT * FROM (SELECT [u].[Name] AS [account_number], [up].[ID] AS [user_package_id], [p].[Name] AS [package_code],
  [p].[BillingPeriodMonths] AS [period_months], CAST([up].[NextBillDate] AS date) AS [next_bill_date]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID] JOIN [Package] AS [p] ON [p].[ID] = [up].[PackageID]
WHERE [up].[Status] = N'Active' AND CAST([up].[NextBillDate] AS date) <= @p0
) q ORDER BY q.[account_number], q.[user_package_id];
-- params: {"p0":"2026-11-01"}

-- userPackages
SELECT * FROM (SELECT [u].[Name] AS [account_number], [up].[ID] AS [user_package_id], LOWER([up].[Status]) AS [status],
  CAST([up].[NextBillDate] AS date) AS [next_bill_date]
FROM [UserPackage] AS [up] JOIN [User] AS [u] ON [u].[ID] = [up].[UserID]
) q ORDER BY q.[account_number], q.[user_package_id];
-- params: {}

-- eventLog
SELECT * FROM (SELECT [e].[ID] AS [sequence], [e].[Date] AS [logged_at],
  CASE WHEN [e].[Result] LIKE N'%Fail%' OR [e].[Result] LIKE N'%Error%' THEN 'error' ELSE 'warning' END AS [level],
  [e].[Module] AS [module], [e].[Action] AS [action], [e].[Result] AS [result],
  CAST(NULL AS NVARCHAR(100)) AS [account_number], CAST(NULL AS NVARCHAR(400)) AS [message]
FROM [eventlog] AS [e]
WHERE [e].[Date] >= CONVERT(datetime2, @p0, 127) AND [e].[Result] <> N'Success'
) q ORDER BY q.[logged_at], q.[sequence];
-- params: {"p0":"2026-11-01T00:00:00.000Z"}
