-- drop fake-value table 1
DROP TABLE IF EXISTS [_rehearsal_fake_first_names];
-- params: {}

-- drop fake-value table 2
DROP TABLE IF EXISTS [_rehearsal_fake_last_names];
-- params: {}

-- drop fake-value table 3
DROP TABLE IF EXISTS [_rehearsal_fake_streets];
-- params: {}

-- drop fake-value table 4
DROP TABLE IF EXISTS [_rehearsal_fake_email_locals];
-- params: {}

-- fake values 1
CREATE TABLE [_rehearsal_fake_first_names] ([idx] INTEGER NOT NULL PRIMARY KEY, [value] NVARCHAR(400) NOT NULL);
-- params: {}

-- fake values 2
INSERT INTO [_rehearsal_fake_first_names] ([idx], [value]) VALUES (0, @p0), (1, @p1);
-- params: {"p0":"Chance","p1":"Carmen"}

-- fake values 3
CREATE TABLE [_rehearsal_fake_last_names] ([idx] INTEGER NOT NULL PRIMARY KEY, [value] NVARCHAR(400) NOT NULL);
-- params: {}

-- fake values 4
INSERT INTO [_rehearsal_fake_last_names] ([idx], [value]) VALUES (0, @p0), (1, @p1);
-- params: {"p0":"Kirlin","p1":"Koss"}

-- fake values 5
CREATE TABLE [_rehearsal_fake_streets] ([idx] INTEGER NOT NULL PRIMARY KEY, [value] NVARCHAR(400) NOT NULL);
-- params: {}

-- fake values 6
INSERT INTO [_rehearsal_fake_streets] ([idx], [value]) VALUES (0, @p0), (1, @p1);
-- params: {"p0":"51434 Kshlerin Fort","p1":"74492 McLaughlin Hollow"}

-- fake values 7
CREATE TABLE [_rehearsal_fake_email_locals] ([idx] INTEGER NOT NULL PRIMARY KEY, [value] NVARCHAR(400) NOT NULL);
-- params: {}

-- fake values 8
INSERT INTO [_rehearsal_fake_email_locals] ([idx], [value]) VALUES (0, @p0), (1, @p1);
-- params: {"p0":"lowell.mcdermott","p1":"joseph.schuster"}

-- rule 1: contacts
UPDATE [contacts] SET [first_name] = CASE WHEN [first_name] IS NULL THEN NULL ELSE (SELECT [value] FROM [_rehearsal_fake_first_names] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p0 + CAST(CAST([first_name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) END, [last_name] = CASE WHEN [last_name] IS NULL THEN NULL ELSE (SELECT [value] FROM [_rehearsal_fake_last_names] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p1 + CAST(CAST([last_name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) END, [email] = CASE WHEN [email] IS NULL THEN NULL ELSE ((SELECT [value] FROM [_rehearsal_fake_email_locals] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p2 + CAST(CAST(LOWER(LTRIM(RTRIM([email]))) AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) + '.' + LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p3 + CAST(CAST(LOWER(LTRIM(RTRIM([email]))) AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) / 4096 AS BINARY(8)), 2), 10)) + '@' + @p4) END, [phone] = CASE WHEN [phone] IS NULL THEN NULL ELSE ('+1 555 01' + RIGHT(REPLICATE('0', 2) + CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p5 + CAST(CAST(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE([phone], ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '') AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 100 AS VARCHAR(20)), 2)) END, [street] = CASE WHEN [street] IS NULL THEN NULL ELSE (SELECT [value] FROM [_rehearsal_fake_streets] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p6 + CAST(CAST([street] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) END;
-- params: {"p0":"0x9afe2f01c9205cc0da0b825d2077324bffbd787c45ca179808dee9c44ea62b5b","p1":"0x0fccd586987485607658b62fe7ae1dbcb59bf505caa4277177dc5a11228935b8","p2":"0xf7a1d147ce4e5eb0bf55bd3c9153204e5d58adac43d86b741942038b0cf7036a","p3":"0xf7a1d147ce4e5eb0bf55bd3c9153204e5d58adac43d86b741942038b0cf7036a","p4":"rehearsal.invalid","p5":"0x7dcca31e844d544c922dea8f849306c6ae038a1e09da9303216b6fbd861609c2","p6":"0x2e501a5832f7b71479c5c28e3c939a5c63ee2ca97062b86a13ec30220e521b30"}

-- rule 2: accounts
UPDATE [accounts] SET [name] = CASE WHEN [name] IS NULL THEN NULL ELSE ((SELECT [value] FROM [_rehearsal_fake_first_names] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p0 + CAST(CAST([name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) + ' ' + (SELECT [value] FROM [_rehearsal_fake_last_names] WHERE [idx] = ((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p1 + CAST(CAST([name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) / 4096) % 4096)) END, [notes] = CASE WHEN [notes] IS NULL THEN NULL ELSE CASE WHEN [notes] LIKE '%@%' OR [notes] LIKE '%[0-9][0-9][0-9][0-9]%' THEN ('[scrubbed ' + TRANSLATE(LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p2 + CAST(CAST([notes] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) AS BINARY(8)), 2), 13)), '0123456789', 'ghijklmnop') + ']') ELSE [notes] END END;
-- params: {"p0":"0xbe9e4e6e709d651d9ff7297009cce3915b08f4308690a897385f2ba5e1a0d2de","p1":"0xbe9e4e6e709d651d9ff7297009cce3915b08f4308690a897385f2ba5e1a0d2de","p2":"0x860b5b3d4c22b6475039ecadcf5e34a93a714f314b8b6216ff9f30bf82a9ece9"}

-- rule 3: payment_methods
UPDATE [payment_methods] SET [card_token] = NULL, [card_number] = CASE WHEN [card_number] IS NULL THEN NULL ELSE (SELECT ('400000' + RIGHT(REPLICATE('0', 5) + CAST([x].[m] AS VARCHAR(20)), 5) + RIGHT(REPLICATE('0', 1) + CAST((10 - (8 + (UNICODE(SUBSTRING('0246813579', ([x].[m] / 10000) % 10 + 1, 1)) - 48) + ([x].[m] / 1000) % 10 + (UNICODE(SUBSTRING('0246813579', ([x].[m] / 100) % 10 + 1, 1)) - 48) + ([x].[m] / 10) % 10 + (UNICODE(SUBSTRING('0246813579', ([x].[m] / 1) % 10 + 1, 1)) - 48) + (UNICODE(SUBSTRING('0246813579', (UNICODE(SUBSTRING([x].[l4], 1, 1)) - 48) + 1, 1)) - 48) + (UNICODE(SUBSTRING([x].[l4], 2, 1)) - 48) + (UNICODE(SUBSTRING('0246813579', (UNICODE(SUBSTRING([x].[l4], 3, 1)) - 48) + 1, 1)) - 48) + (UNICODE(SUBSTRING([x].[l4], 4, 1)) - 48)) % 10) % 10 AS VARCHAR(20)), 1) + [x].[l4]) FROM (SELECT (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p0 + CAST(CAST([n].[d] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 100000 AS [m], CASE WHEN RIGHT(('0000' + [n].[d]), 4) LIKE '[0-9][0-9][0-9][0-9]' THEN RIGHT(('0000' + [n].[d]), 4) ELSE '0000' END AS [l4] FROM (SELECT REPLACE(REPLACE([card_number], ' ', ''), '-', '') AS [d]) AS [n]) AS [x]) END, [holder_name] = CASE WHEN [holder_name] IS NULL THEN NULL ELSE ((SELECT [value] FROM [_rehearsal_fake_first_names] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p1 + CAST(CAST([holder_name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) + ' ' + (SELECT [value] FROM [_rehearsal_fake_last_names] WHERE [idx] = ((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p2 + CAST(CAST([holder_name] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) / 4096) % 4096)) END, [bank_account_number] = CASE WHEN [bank_account_number] IS NULL THEN NULL ELSE TRANSLATE(LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p3 + CAST(CAST([bank_account_number] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) AS BINARY(8)), 2), 13)), '0123456789', 'ghijklmnop') END, [bank_routing_number] = CASE WHEN [bank_routing_number] IS NULL THEN NULL ELSE TRANSLATE(LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p4 + CAST(CAST([bank_routing_number] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) AS BINARY(8)), 2), 13)), '0123456789', 'ghijklmnop') END;
-- params: {"p0":"0x95148012507158b5d507d10906fe3d2d183ca55a85c62ae65279c125ae8663bf","p1":"0xbe9e4e6e709d651d9ff7297009cce3915b08f4308690a897385f2ba5e1a0d2de","p2":"0xbe9e4e6e709d651d9ff7297009cce3915b08f4308690a897385f2ba5e1a0d2de","p3":"0x278656e6289282206422d5b7a32cf1c96510e19092ae5ce579d1e71ae2522f25","p4":"0x278656e6289282206422d5b7a32cf1c96510e19092ae5ce579d1e71ae2522f25"}

-- rule 4: staff_users
UPDATE [staff_users] SET [email] = CASE WHEN [email] IS NULL THEN NULL ELSE ((SELECT [value] FROM [_rehearsal_fake_email_locals] WHERE [idx] = (CAST(SUBSTRING(HASHBYTES('SHA2_256', @p0 + CAST(CAST(LOWER(LTRIM(RTRIM([email]))) AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) % 4096) + '.' + LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p1 + CAST(CAST(LOWER(LTRIM(RTRIM([email]))) AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) / 4096 AS BINARY(8)), 2), 10)) + '@' + @p2) END, [password_hash] = @p3;
-- params: {"p0":"0xf7a1d147ce4e5eb0bf55bd3c9153204e5d58adac43d86b741942038b0cf7036a","p1":"0xf7a1d147ce4e5eb0bf55bd3c9153204e5d58adac43d86b741942038b0cf7036a","p2":"rehearsal.invalid","p3":"rehearsal-disabled"}

-- rule 5: event_log
UPDATE [event_log] SET [message] = CASE WHEN [message] IS NULL THEN NULL ELSE CASE WHEN [message] LIKE '%@%' OR [message] LIKE '%[0-9][0-9][0-9][0-9]%' THEN ('[scrubbed ' + TRANSLATE(LOWER(RIGHT(CONVERT(VARCHAR(16), CAST((CAST(SUBSTRING(HASHBYTES('SHA2_256', @p0 + CAST(CAST([message] AS NVARCHAR(MAX)) AS VARBINARY(MAX))), 1, 7) AS BIGINT) / 16) AS BINARY(8)), 2), 13)), '0123456789', 'ghijklmnop') + ']') ELSE [message] END END;
-- params: {"p0":"0x860b5b3d4c22b6475039ecadcf5e34a93a714f314b8b6216ff9f30bf82a9ece9"}

-- rule 6: settings
UPDATE [settings] SET [value] = @p0 WHERE [key] = @p1;
-- params: {"p0":"smtp.sinkhole.rehearsal.invalid","p1":"smtp.host"}

-- rule 7: settings
UPDATE [settings] SET [value] = @p0 WHERE [key] = @p1;
-- params: {"p0":"billing@rehearsal.invalid","p1":"smtp.from"}

-- rule 8: settings
UPDATE [settings] SET [value] = @p0 WHERE [key] LIKE @p1;
-- params: {"p0":"rehearsal-test-key","p1":"gateway.%.api_key"}

-- rule 9: settings
UPDATE [settings] SET [value] = @p0 WHERE [key] = @p1;
-- params: {"p0":"switch.sinkhole.rehearsal.invalid:2208,switch.sinkhole.rehearsal.invalid:5060","p1":"provisioning.hosts"}

-- rule 10: settings
UPDATE [settings] SET [value] = @p0 WHERE [key] = @p1;
-- params: {"p0":"Server=reporting-db.sinkhole.rehearsal.invalid,1433;Database=BillingReports;User Id=rehearsal;Password=rehearsal-disabled","p1":"reporting.connection"}
