-- server edition
SELECT CAST(SERVERPROPERTY('EngineEdition') AS INT) AS engine_edition, CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)) AS product_version, CASE WHEN DB_ID(N'rdsadmin') IS NULL THEN 0 ELSE 1 END AS on_rds;
-- params: {}

-- data files of the copy
SELECT name AS logical_name FROM [rehearsal_20261101_015500_a1b2c3].[sys].[database_files] WHERE type = 0 ORDER BY file_id;
-- params: {}

-- snapshot before the bill run
DECLARE @create NVARCHAR(MAX) = N'CREATE DATABASE ' + QUOTENAME(@p0) + N' ON ' + N'(NAME = ' + QUOTENAME(@p1) + N', FILENAME = N''' + REPLACE(@p2, N'''', N'''''') + N''')' + N', ' + N'(NAME = ' + QUOTENAME(@p3) + N', FILENAME = N''' + REPLACE(@p4, N'''', N'''''') + N''')' + N' AS SNAPSHOT OF ' + QUOTENAME(@p5); EXEC (@create);
-- params: {"p0":"rehearsal_20261101_015500_a1b2c3_pre","p1":"EngageIP","p2":"D:\\MSSQL\\Data\\rehearsal_20261101_015500_a1b2c3_pre_1.ss","p3":"EngageIP'); DROP DATABASE [billing]; --","p4":"D:\\MSSQL\\Data\\O'Brien\\rehearsal_20261101_015500_a1b2c3_pre_2.ss","p5":"rehearsal_20261101_015500_a1b2c3"}

-- default backup folder
SELECT CAST(SERVERPROPERTY('InstanceDefaultBackupPath') AS NVARCHAR(4000)) AS backup_path;
-- params: {}

-- COPY_ONLY backup of production's result
BACKUP DATABASE [billing_after_run] TO DISK = @p0 WITH COPY_ONLY, INIT;
-- params: {"p0":"D:\\Backups\\rehearsal_20261101_015500_a1b2c3_production.bak"}

-- drop the snapshot
DROP DATABASE [rehearsal_20261101_015500_a1b2c3_pre];
-- params: {}

-- delete the backup file, then ask whether it is gone
DECLARE @file NVARCHAR(4000) = @p0; DECLARE @found TABLE (file_exists INT, is_directory INT, parent_exists INT); EXEC master.sys.xp_delete_file 0, @file; INSERT INTO @found EXEC master.sys.xp_fileexist @file; SELECT file_exists FROM @found;
-- params: {"p0":"D:\\Backups\\O'Brien\\rehearsal_20261101_015500_a1b2c3_production.bak"}
