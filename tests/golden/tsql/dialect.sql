-- selectFirst
SELECT TOP (10) [account_number], [balance] FROM [accounts] ORDER BY [balance] DESC;
-- params: {}

-- orderedConcat
SELECT [account_id], STRING_AGG(CAST([package_id] AS NVARCHAR(MAX)), ',') WITHIN GROUP (ORDER BY [package_id]) AS [packages] FROM [user_packages] GROUP BY [account_id];
-- params: {}
