-- database exists?
SELECT DB_ID(@p0) AS [database_id];
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3"}

-- start restore task
EXEC msdb.dbo.rds_restore_database @restore_db_name = @p0, @s3_arn_to_restore_from = @p1;
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3","p1":"arn:aws:s3:::northwind-billing-backups/2026-11-01/billing_0155.bak"}

-- poll task status
EXEC msdb.dbo.rds_task_status @db_name = @p0;
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3"}
