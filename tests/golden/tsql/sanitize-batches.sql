-- statement 1
ALTER DATABASE CURRENT SET RECOVERY SIMPLE;
-- params: {}

-- statement 2
SELECT c.name AS key_column
      FROM sys.indexes AS i
      JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
      JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
      WHERE i.is_primary_key = 1 AND i.object_id = OBJECT_ID(@p0);
-- params: {"p0":"Contacts"}

-- statement 3
SELECT SUM(p.rows) AS row_count FROM sys.partitions AS p WHERE p.object_id = OBJECT_ID(@p0) AND p.index_id IN (0, 1);
-- params: {"p0":"Contacts"}

-- statement 4
SELECT [ContactID] AS upper_key FROM [Contacts] ORDER BY [ContactID] OFFSET 999 ROWS FETCH NEXT 1 ROWS ONLY;
-- params: {}

-- statement 5
UPDATE [Contacts] SET [Email] = [Email] WHERE [ContactID] <= @p0;
-- params: {"p0":1000}

-- statement 6
SELECT [ContactID] AS upper_key FROM [Contacts] WHERE [ContactID] > @p0 ORDER BY [ContactID] OFFSET 999 ROWS FETCH NEXT 1 ROWS ONLY;
-- params: {"p0":1000}

-- statement 7
UPDATE [Contacts] SET [Email] = [Email] WHERE [ContactID] > @p0 AND [ContactID] <= @p1;
-- params: {"p0":1000,"p1":2000}

-- statement 8
SELECT [ContactID] AS upper_key FROM [Contacts] WHERE [ContactID] > @p0 ORDER BY [ContactID] OFFSET 999 ROWS FETCH NEXT 1 ROWS ONLY;
-- params: {"p0":2000}

-- statement 9
UPDATE [Contacts] SET [Email] = [Email] WHERE [ContactID] > @p0;
-- params: {"p0":2000}
