-- connected database
SELECT DB_NAME() AS [database_name];
-- params: {}
