-- Confirmation queries for platforms/engageip/adapter.yaml. Read-only; run them on a restored copy
-- (never on production), SQL Server 2016 or later, and correct the adapter from what they show.

-- 1. the tables the adapter names, and whether they exist
SELECT [TABLE_SCHEMA], [TABLE_NAME]
FROM [INFORMATION_SCHEMA].[TABLES]
WHERE [TABLE_NAME] IN (N'eventlog', N'UserPackage', N'Package', N'UserServicePackageDiscountTracking',
                       N'UserPaymentMethod', N'User', N'Invoice', N'Transaction', N'BillRun');

-- 2. their columns, with types
SELECT [TABLE_NAME], [COLUMN_NAME], [DATA_TYPE], [CHARACTER_MAXIMUM_LENGTH], [NUMERIC_PRECISION], [NUMERIC_SCALE]
FROM [INFORMATION_SCHEMA].[COLUMNS]
WHERE [TABLE_NAME] IN (N'eventlog', N'UserPackage', N'Package', N'UserServicePackageDiscountTracking', N'UserPaymentMethod', N'User', N'BillRun')
ORDER BY [TABLE_NAME], [ORDINAL_POSITION];

-- 3. candidates for the concepts the adapter leaves out (invoices, balances, pools, roles, settings)
SELECT [TABLE_NAME], [COLUMN_NAME]
FROM [INFORMATION_SCHEMA].[COLUMNS]
WHERE [COLUMN_NAME] LIKE N'%Balance%' OR [COLUMN_NAME] LIKE N'%Minute%'
   OR [TABLE_NAME] LIKE N'%Invoice%' OR [TABLE_NAME] LIKE N'%Role%' OR [TABLE_NAME] LIKE N'%Permission%'
   OR [TABLE_NAME] LIKE N'%Bucket%' OR [TABLE_NAME] LIKE N'%Setting%' OR [TABLE_NAME] LIKE N'%Config%'
ORDER BY [TABLE_NAME], [COLUMN_NAME];

-- 4. what the event log's Result column says (the adapter treats N'Success' as success)
SELECT [Result], COUNT(*) AS [rows] FROM [eventlog] GROUP BY [Result] ORDER BY [rows] DESC;

-- 5. whether eventlog.Date is UTC: compare the newest row with the server's clocks
SELECT MAX([Date]) AS [newest], SYSDATETIME() AS [server_local], SYSUTCDATETIME() AS [server_utc] FROM [eventlog];

-- 6. the names the EngageIP-shaped stand-in (platforms/engageip-shaped/) guessed for the concepts
--    this adapter leaves out; each one found is a concept to add here with the stand-in's query as a start
SELECT [TABLE_NAME], [COLUMN_NAME], [DATA_TYPE]
FROM [INFORMATION_SCHEMA].[COLUMNS]
WHERE [TABLE_NAME] IN (N'Invoice', N'InvoiceCharge', N'Transaction', N'Contact', N'Discount', N'BucketPoolGroup', N'BucketPoolGroupMember',
                       N'UsageRecord', N'Role', N'Permission', N'RolePermission', N'StaffUser', N'StaffUserRole', N'StaffUserPermission',
                       N'SystemSetting', N'BillRun', N'BillRunSetting', N'BillRunRequest')
ORDER BY [TABLE_NAME], [ORDINAL_POSITION];
